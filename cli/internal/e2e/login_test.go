package e2e_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/devoidc"
)

// TestOIDCLogin signs the CLI in through a real OpenID Provider's login
// page (code + PKCE, loopback redirect), uses the stored sign-in, refreshes
// it once its ID token has expired, and logs out.
func TestOIDCLogin(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t, 3*time.Minute)
	op, err := devoidc.Start(ctx, devoidc.Options{
		RedirectURIs: []string{"http://127.0.0.1/callback"},
		Users:        []devoidc.User{{ID: "sub-alice", Username: "alice", Password: "alice-pw", Name: "Alice Doe", Email: "alice@example.com"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = op.Stop() })
	st, cleanup, err := startStack("oidc", false, "NEOSYNC_OIDC_ISSUER="+op.Issuer,
		"NEOSYNC_OIDC_AUDIENCE="+devoidc.WebClientID+","+devoidc.NativeClientID, "NEOSYNC_OIDC_CLI_CLIENT_ID="+devoidc.NativeClientID)
	t.Cleanup(cleanup)
	if err != nil {
		t.Fatalf("%v\n%s", err, st.logText())
	}
	c := newCLI(t, st.apiURL)

	if r := c.run("", "whoami"); r.code == 0 || !strings.Contains(r.stderr, "not logged in") {
		t.Fatalf("whoami before login = %+v, want Unauthenticated", r)
	}

	// The person at the browser: read the URL the CLI prints, sign in on
	// the provider's page, and follow the provider back to the CLI.
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "neosync"), "login", "--no-browser")
	cmd.Env, cmd.Dir = c.env, c.dir
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout strings.Builder
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	authURL := ""
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "http") {
			authURL = line
			break
		}
	}
	if authURL == "" {
		_ = cmd.Wait()
		t.Fatalf("login printed no sign-in URL; stdout %q", stdout.String())
	}
	back, err := devoidc.SignIn(ctx, authURL, "http://127.0.0.1:", "alice", "alice-pw")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(back.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("login: %v\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), "<alice@example.com>") {
		t.Fatalf("login said %q", stdout.String())
	}

	tokenPath := filepath.Join(c.dir, "config", "oidc-token.json")
	info, err := os.Stat(tokenPath)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v, %v; want mode 0600", info, err)
	}
	who := c.run("", "whoami", "-o", "json")
	if who.code != 0 || !strings.Contains(who.stdout, `"email": "alice@example.com"`) || !strings.Contains(who.stdout, "ACCOUNT_ROLE_ADMIN") {
		t.Fatalf("whoami = %+v", who)
	}

	// A write as the signed-in person shows in the account's audit trail.
	c.ok("connections", "create", "--name", "audited", "--skip-check", "--postgres-url", "postgres://nobody@db.example.com/app")
	if out := c.ok("audit"); !strings.Contains(out, "Alice Doe") || !strings.Contains(out, "create") || !strings.Contains(out, "connection") {
		t.Fatalf("neosync audit = %q, want alice's connection", out)
	}

	// Expire the stored ID token: the next command refreshes it.
	var tok map[string]any
	b, _ := os.ReadFile(tokenPath)
	if err := json.Unmarshal(b, &tok); err != nil {
		t.Fatal(err)
	}
	oldID := tok["id_token"]
	tok["expiry"] = time.Now().Add(-time.Hour).Format(time.RFC3339)
	b, _ = json.Marshal(tok)
	if err := os.WriteFile(tokenPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := c.run("", "whoami"); r.code != 0 {
		t.Fatalf("whoami with an expired token = %+v, want a refresh", r)
	}
	b, _ = os.ReadFile(tokenPath)
	_ = json.Unmarshal(b, &tok)
	if tok["id_token"] == oldID {
		t.Fatal("the ID token was not refreshed")
	}

	if r := c.run("", "logout"); r.code != 0 {
		t.Fatalf("logout = %+v", r)
	}
	if _, err := os.Stat(tokenPath); !os.IsNotExist(err) {
		t.Fatalf("token file after logout: %v", err)
	}
}
