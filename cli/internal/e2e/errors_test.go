package e2e_test

import (
	"strings"
	"testing"
)

// TestAPIDown points the CLI at a closed port: every command that needs the
// API fails with one readable line, fast.
func TestAPIDown(t *testing.T) {
	t.Parallel()
	down := closedURL(t)
	c := newCLI(t, down)
	file := c.writeFile("neosync.yaml", "connections:\n  - name: c\n    postgres: {url: \"postgres://h/db\"}\n")
	want := "cannot reach the Neosync API at " + down + ": connection refused"
	for _, args := range [][]string{
		{"whoami"},
		{"accounts", "list"},
		{"connections", "list"},
		{"connections", "get", "prod"},
		{"connections", "check", "--url", "postgres://h/db"},
		{"jobs", "list", "-o", "json"},
		{"jobs", "trigger", "nightly", "--wait"},
		{"runs", "watch", "00000000-0000-4000-8000-000000000000"},
		{"apply", "-f", file, "--dry-run"},
		{"login", "--api-key", "k"},
	} {
		c.fail(want, args...)
	}
	newCLI(t, "").fail("cannot reach the Neosync API at http://127.0.0.1:9: connection refused", "--api-url", "http://127.0.0.1:9", "jobs", "list")
}

// TestBadInput needs no API: flags and arguments are checked first.
func TestBadInput(t *testing.T) {
	t.Parallel()
	c := newCLI(t, closedURL(t))
	for _, tc := range []struct {
		want string
		args []string
	}{
		{`unknown command "lst" for "neosync connections"; did you mean list`, []string{"connections", "lst"}},
		{`unknown command "conections" for "neosync"; did you mean connections?`, []string{"conections"}},
		{"unknown flag: --nope (see neosync jobs list --help)", []string{"jobs", "list", "--nope"}},
		{`invalid argument "xml" for "-o, --output" flag: must be one of table, json, yaml`, []string{"connections", "list", "-o", "xml"}},
		{"accepts 1 arg(s), received 0", []string{"jobs", "get"}},
		{`required flag(s) "file" not set`, []string{"apply"}},
		// Without --api-key, login asks the API how to sign in (OIDC).
		{"how to sign in: cannot reach the Neosync API", []string{"login"}},
		{"describe the database with --postgres-url", []string{"connections", "create", "--name", "x"}},
		{"cannot tell the database from the URL", []string{"connections", "check", "--url", "sqlserver://h"}},
		{`API URL "not a url" is not an http:// or https:// URL`, []string{"--api-url", "not a url", "jobs", "list"}},
	} {
		c.fail(tc.want, tc.args...)
	}
	c.writeFile("empty.yaml", "")
	c.fail("empty.yaml: the document is empty", "apply", "-f", "empty.yaml")
	if out := c.ok("completion", "bash"); !strings.Contains(out, "__start_neosync") {
		t.Fatal("bash completion script missing")
	}
	for _, shell := range []string{"zsh", "fish"} {
		if out := c.ok("completion", shell); !strings.Contains(out, "neosync") {
			t.Fatalf("%s completion script missing", shell)
		}
	}
	for _, args := range [][]string{{"--help"}, {"connections", "create", "--help"}, {"apply", "--help"}, {"runs", "watch", "--help"}} {
		if out := c.ok(args...); !strings.Contains(out, "Examples:") {
			t.Fatalf("neosync %v has no examples:\n%s", args, out)
		}
	}
}
