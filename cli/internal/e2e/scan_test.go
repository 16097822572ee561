package e2e_test

import (
	"context"
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
	c.fail("--time-limit: must be a whole number of seconds", "connections", "scan", name, "--time-limit", "1500ms")
	c.fail("time_limit_seconds", "connections", "scan", name, "--time-limit", "11m")

	// A table another session holds locked is not sampled within the time
	// limit: the scan still answers, and names it.
	pgExec(t, pgURL, `CREATE TABLE public.locked (id int, email text)`)
	ctx, lock := pgConnect(t, pgURL)
	defer lock.Close(context.Background())
	tx, err := lock.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if _, err := tx.Exec(ctx, "LOCK TABLE public.locked IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	out = c.ok("connections", "scan", name, "--time-limit", "5s")
	for _, want := range []string{"Not scanned: 1 table (their columns may hold personal data", "  public.locked: not sampled within the scan's time limit of 5s", "contact"} {
		if !strings.Contains(out, want) {
			t.Fatalf("scan with a locked table lacks %q:\n%s", want, out)
		}
	}
}
