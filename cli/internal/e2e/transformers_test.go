package e2e_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTransformersCommands lists the catalogue, shows one transformer's
// parameters and previews it through the API; an unknown name exits 3.
func TestTransformersCommands(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)

	out := c.ok("transformers", "list")
	for _, want := range []string{"transform_email", "generate_first_name", "transform_javascript"} {
		if !strings.Contains(out, want) {
			t.Fatalf("list lacks %s:\n%s", want, out)
		}
	}
	var listed struct {
		System      []struct{ Source string } `json:"system"`
		UserDefined []any                     `json:"userDefined"`
	}
	if err := json.Unmarshal([]byte(c.ok("transformers", "list", "-o", "json")), &listed); err != nil || len(listed.System) < 30 {
		t.Fatalf("list -o json: %d system transformers, %v", len(listed.System), err)
	}

	out = c.ok("transformers", "get", "transform_email")
	for _, want := range []string{"Source:", "transform_email", "preserve_domain", "PARAMETER", "invalid_email_action"} {
		if !strings.Contains(out, want) {
			t.Fatalf("get lacks %q:\n%s", want, out)
		}
	}

	out = c.ok("transformers", "preview", "transform_email", "--value", "alice@corp.example", "--config", "preserve_domain=true")
	if !strings.Contains(out, "alice@corp.example") || !strings.Contains(out, "@corp.example\"") || strings.Count(out, "alice@corp.example") != 1 {
		t.Fatalf("preview with preserve_domain:\n%s", out)
	}

	c.fail("no transformer \"nope\"", "transformers", "get", "nope")
	c.fail("give at least one --value", "transformers", "preview", "transform_email")
}
