package e2e_test

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

func TestConnectionsScan(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	pgURL := newPostgres(t, "neosync_cli_scan")
	pgExec(t, pgURL, `CREATE TABLE public.people (id int PRIMARY KEY, contact text, ssn text, note text, qty int);
INSERT INTO public.people SELECT g, 'user' || g || '@example.com', '123-45-' || lpad(g::text, 4, '0'), 'nothing to see here', g FROM generate_series(1, 50) g`)
	name := "scan-" + suffix()
	c.ok("connections", "create", "--name", name, "--postgres-url", pgURL)

	out := c.ok("connections", "scan", name)
	for _, want := range []string{"Scanned 1 table of " + name + ": 2 columns with personal data.", "contact", "email", "transform_email", "50/50", "ssn", "generate_ssn"} {
		if !strings.Contains(out, want) {
			t.Fatalf("scan lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "@example.com") {
		t.Fatalf("scan printed a sampled value:\n%s", out)
	}

	var resp mgmtv1alpha1.ScanConnectionPiiResponse
	if err := protojson.Unmarshal([]byte(c.ok("connections", "scan", name, "--sample", "10", "-o", "json")), &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.GetFindings()) != 2 || resp.GetFindings()[0].GetEvidence().GetSampled() != 10 {
		t.Fatalf("scan -o json: %v", &resp)
	}
	c.fail("sample_size", "connections", "scan", name, "--sample", "20000")
}
