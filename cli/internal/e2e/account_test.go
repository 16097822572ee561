package e2e_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersionAndWhoamiSingleUser(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	out := c.ok("version")
	if !strings.Contains(out, "neosync dev") || !strings.Contains(out, "neosync-api") || !strings.Contains(out, "auth mode none") {
		t.Fatalf("version:\n%s", out)
	}
	out = c.ok("whoami")
	for _, want := range []string{local.apiURL, "Local user", "personal"} {
		if !strings.Contains(out, want) {
			t.Fatalf("whoami lacks %q:\n%s", want, out)
		}
	}
	var who struct {
		AuthMode string `json:"authMode"`
		Account  struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"account"`
	}
	if err := json.Unmarshal([]byte(c.ok("whoami", "-o", "json")), &who); err != nil {
		t.Fatal(err)
	}
	if who.AuthMode != "none" || who.Account.Name != "personal" || who.Account.Type != "USER_ACCOUNT_TYPE_PERSONAL" {
		t.Fatalf("whoami -o json: %+v", who)
	}
	if out := c.ok("accounts", "list"); !strings.Contains(out, "*") || !strings.Contains(out, "personal") {
		t.Fatalf("accounts list:\n%s", out)
	}
	c.fail(`no account named "nope"`, "accounts", "switch", "nope")
	if out := c.ok("accounts", "switch", "personal"); !strings.Contains(out, "Switched to account personal") {
		t.Fatalf("switch: %s", out)
	}
	// A server that cannot be reached is reported, not an error, by version.
	down := newCLI(t, closedURL(t))
	if out := down.ok("version"); !strings.Contains(out, "cannot reach the Neosync API") {
		t.Fatalf("version with the API down:\n%s", out)
	}
}

func TestLoginWithAPIKey(t *testing.T) {
	t.Parallel()
	c := newCLI(t, "")
	configFile := filepath.Join(c.dir, "config", "config.yaml")

	// No key at all against an API-key server.
	c.fail("not logged in: the API at "+keyed.apiURL+" requires an API key", "--api-url", keyed.apiURL, "connections", "list")

	// A bad key is rejected and nothing is stored.
	line := c.fail("login failed: the API at "+keyed.apiURL+" rejected the key", "login", "--api-key", "neo_ak_bogus", "--api-url", keyed.apiURL)
	if strings.Contains(line, "neo_ak_bogus") {
		t.Fatalf("the rejected key is echoed: %s", line)
	}
	if _, err := os.Stat(configFile); !os.IsNotExist(err) {
		t.Fatalf("a rejected login wrote %s (%v)", configFile, err)
	}

	// A good key (read from stdin) is stored with mode 0600 and used afterwards.
	r := c.run(keyed.key+"\n", "login", "--api-key", "-", "--api-url", keyed.apiURL)
	if r.code != 0 || !strings.Contains(r.stdout, "Account: cli-e2e") {
		t.Fatalf("login: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	st, err := os.Stat(configFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v, %v", st, err)
	}
	out := c.ok("whoami")
	for _, want := range []string{keyed.apiURL, "cli-e2e (team", "machine", "config file", "auth mode apikey"} {
		if !strings.Contains(out, want) {
			t.Fatalf("whoami lacks %q:\n%s", want, out)
		}
	}
	c.ok("connections", "list")

	// NEOSYNC_API_KEY overrides the stored key.
	c.with("NEOSYNC_API_KEY=neo_ak_invalid").fail("not logged in or the API key is invalid: run neosync login", "jobs", "list")

	if out := c.ok("logout"); !strings.Contains(out, "Logged out") {
		t.Fatalf("logout: %s", out)
	}
	c.fail("requires an API key", "jobs", "list")
}
