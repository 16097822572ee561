package e2e_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestPlanSampleRows: jobs plan --sample N shows, per subset, how many rows
// its WHERE keeps and the first N of them as the source holds them.
func TestPlanSampleRows(t *testing.T) {
	t.Parallel()
	sfx := suffix()
	src, dst := newPostgres(t, "neosync_cli_smsrc"), newPostgres(t, "neosync_cli_smdst")
	pgExec(t, src, `CREATE TABLE public.users (id int PRIMARY KEY, email text NOT NULL, bio text);
		INSERT INTO public.users SELECT g, 'user' || g || '@example.com', CASE WHEN g = 2 THEN NULL ELSE repeat('long ', 20) END FROM generate_series(1, 50) g;`)
	c := newCLI(t, local.apiURL).with("SRC_URL="+src, "DST_URL="+dst)
	file := strings.Replace(fmt.Sprintf(eventsFile, sfx), "    source: {connection: evsrc-"+sfx+"}",
		"    source:\n      connection: evsrc-"+sfx+"\n      subsets:\n        - {schema: public, table: users, where: \"id <= 3\"}", 1)
	c.ok("apply", "-f", c.writeFile("neosync.yaml", file))

	out := c.ok("jobs", "plan", "events-"+sfx, "--sample", "2")
	if !strings.Contains(out, "Subset public.users WHERE id <= 3: 3 rows; the first 2, as the source holds them (before transformers):") {
		t.Fatalf("plan --sample lacks the subset line:\n%s", out)
	}
	_, table, _ := strings.Cut(out, "(before transformers):\n")
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 3 || !regexp.MustCompile(`^ID\s+EMAIL\s+BIO$`).MatchString(lines[0]) {
		t.Fatalf("sample table (header and 2 rows):\n%s", table)
	}
	for _, l := range lines[1:] {
		if !regexp.MustCompile(`^[123]\s+user[123]@example\.com\s+(NULL|long long .*…)$`).MatchString(l) {
			t.Fatalf("sample row %q is not a source row of the subset (raw email, NULL shown, long text cut)", l)
		}
	}
	if out := c.ok("jobs", "plan", "events-"+sfx); strings.Contains(out, "user1@example.com") {
		t.Fatalf("plan without --sample shows rows:\n%s", out)
	}
	c.fail("--sample: must be between 1 and 20", "jobs", "plan", "events-"+sfx, "--sample", "21")
}
