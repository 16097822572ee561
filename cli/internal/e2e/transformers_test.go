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

	// A parameter of one mode only says so.
	out = c.ok("transformers", "get", "transform_hash")
	if !strings.Contains(out, "(only when mode is salted) The hash function of the salted mode") {
		t.Fatalf("get transform_hash does not say algorithm applies to the salted mode only:\n%s", out)
	}

	out = c.ok("transformers", "preview", "transform_email", "--value", "alice@corp.example", "--config", "preserve_domain=true")
	if !strings.Contains(out, "alice@corp.example") || !strings.Contains(out, "@corp.example\"") || strings.Count(out, "alice@corp.example") != 1 {
		t.Fatalf("preview with preserve_domain:\n%s", out)
	}

	c.fail("no transformer \"nope\"", "transformers", "get", "nope")
	c.fail("give at least one --value", "transformers", "preview", "transform_email")
}

// TestUserDefinedTransformerCommands saves a JavaScript transformer from a
// file, previews it, changes its code and parameters, and deletes it; the
// API's refusals (a bad parameter, a taken name, code that does not
// compile) reach the user with the field at fault.
func TestUserDefinedTransformerCommands(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	name := "shout-" + suffix()
	js := c.writeFile("shout.js", "return String(value).toUpperCase() + '!';")

	// A generous time budget: the machine running the tests may be loaded.
	out := c.ok("transformers", "create", name, "--file", js, "--description", "shouts", "--config", "timeout_ms=5000")
	if !strings.Contains(out, "Created transformer "+name+" (transform_javascript") {
		t.Fatalf("create:\n%s", out)
	}
	// get reads a fresh copy (protojson leaves out empty fields, so decoding
	// into the last one would keep stale values).
	type udt struct {
		ID, Name, Source, Description string
		Config                        map[string]any
	}
	get := func(nameOrID string) udt {
		t.Helper()
		var u udt
		if err := json.Unmarshal([]byte(c.ok("transformers", "get", nameOrID, "-o", "json")), &u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	got := get(name)
	if got.Source != "transform_javascript" || got.Description != "shouts" || got.Config["code"] != "return String(value).toUpperCase() + '!';" || got.Config["timeout_ms"] != float64(5000) {
		t.Fatalf("saved transformer: %+v", got)
	}
	if out := c.ok("transformers", "preview", name, "--value", "hi"); !strings.Contains(out, `"HI!"`) {
		t.Fatalf("preview of the saved code:\n%s", out)
	}
	if out := c.ok("transformers", "list"); !strings.Contains(out, name) {
		t.Fatalf("list lacks %s:\n%s", name, out)
	}

	// update: new code from stdin, a parameter changed, the description kept.
	r := c.run("return String(value).toLowerCase();", "transformers", "update", name, "--file", "-", "--config", "timeout_ms=4000")
	if r.code != 0 || !strings.Contains(r.stdout, "Updated transformer "+name) {
		t.Fatalf("update: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	got = get(got.ID)
	if got.Description != "shouts" || got.Config["timeout_ms"] != float64(4000) || got.Config["code"] != "return String(value).toLowerCase();" {
		t.Fatalf("after update: %+v", got)
	}
	if out := c.ok("transformers", "preview", name, "--value", "HeLLo"); !strings.Contains(out, `"hello"`) {
		t.Fatalf("preview after update:\n%s", out)
	}
	c.ok("transformers", "update", name, "--unset", "timeout_ms", "--description", "")
	after := get(name)
	if _, ok := after.Config["timeout_ms"]; ok || after.Description != "" || after.Config["code"] == nil {
		t.Fatalf("after --unset and an empty description: %+v", after)
	}

	// A system transformer configured by flags, then the API's refusals.
	mail := "mail-" + suffix()
	c.ok("transformers", "create", mail, "--source", "transform_email", "--config", "preserve_domain=true")
	for _, tc := range []struct {
		code int
		want string
		args []string
	}{
		{1, "preserve_domain", []string{"transformers", "update", mail, "--config", "preserve_domain=\"yes\""}},
		{1, "already", []string{"transformers", "create", name, "--source", "transform_email"}},
		{1, "unknown transformer \"transform_nope\"", []string{"transformers", "create", "x-" + suffix(), "--source", "transform_nope"}},
		{1, "code", []string{"transformers", "update", name, "--config", "code=return (;"}},
		{2, "give --source", []string{"transformers", "create", "x"}},
		{2, "not a JavaScript transformer", []string{"transformers", "create", "x", "--source", "transform_email", "--file", js}},
		{2, "nothing to change", []string{"transformers", "update", name}},
		{2, "system transformer and cannot be changed", []string{"transformers", "update", "transform_email", "--config", "preserve_domain=true"}},
		{3, `no transformer "nope-`, []string{"transformers", "delete", "nope-" + suffix()}},
	} {
		r := c.run("", tc.args...)
		checkFailure(t, r, tc.want, tc.args)
		if r.code != tc.code {
			t.Errorf("neosync %s: exit code %d, want %d (%s)", strings.Join(tc.args, " "), r.code, tc.code, strings.TrimSpace(r.stderr))
		}
	}

	for _, n := range []string{name, mail} {
		if out := c.ok("transformers", "delete", n); !strings.Contains(out, "Deleted transformer "+n) {
			t.Fatalf("delete %s:\n%s", n, out)
		}
	}
	c.fail("no transformer \""+name+"\"", "transformers", "get", name)
}
