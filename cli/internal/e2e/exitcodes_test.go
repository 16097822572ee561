package e2e_test

import (
	"strings"
	"testing"
)

// TestExitCodes checks the documented exit codes (README, package
// exitcode): 2 for a command line that cannot run, 3 for what does not
// exist or may not be used, 1 for other failures. 4 (a failed run) is
// checked by TestTriggerWaitAndRuns, on a run that really fails.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	for _, tc := range []struct {
		code int
		want string
		cli  *cli
		args []string
	}{
		{2, `unknown command "lst"`, c, []string{"connections", "lst"}},
		{2, `unknown command "conections"`, c, []string{"conections"}},
		{2, "unknown flag: --nope", c, []string{"jobs", "list", "--nope"}},
		{2, `invalid argument "xml"`, c, []string{"connections", "list", "-o", "xml"}},
		{2, "accepts 1 arg(s), received 0 (see neosync jobs get --help)", c, []string{"jobs", "get"}},
		{2, `required flag(s) "file" not set`, c, []string{"apply"}},
		{2, "none of the others can be", c, []string{"connections", "create", "--name", "x", "--postgres-url", "postgres://h/db", "--mysql-url", "root@tcp(h)/db"}},
		{3, `no job named "no-such-job"`, c, []string{"jobs", "get", "no-such-job"}},
		{3, `no connection named "no-such-conn"`, c, []string{"connections", "get", "no-such-conn"}},
		{3, "no run has an id starting with", c, []string{"runs", "get", "ffff0000"}},
		{3, "not found", c, []string{"runs", "get", "00000000-0000-4000-8000-000000000000"}},
		{3, "not logged in", newCLI(t, keyed.apiURL), []string{"jobs", "list"}},
		{1, "cannot reach the Neosync API", newCLI(t, closedURL(t)), []string{"jobs", "list"}},
		{1, "job_run_id: must be a UUID", c, []string{"runs", "get", "not-a-uuid"}},
	} {
		r := tc.cli.run("", tc.args...)
		checkFailure(t, r, tc.want, tc.args)
		if r.code != tc.code {
			t.Errorf("neosync %s: exit code %d, want %d (%s)", strings.Join(tc.args, " "), r.code, tc.code, strings.TrimSpace(r.stderr))
		}
	}
}
