package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/neosyncio/neosync/backend/pkg/testdb"
	"github.com/neosyncio/neosync/worker/internal/apiclient"
)

// testKey encrypts nothing here; the API only needs one to start.
const testKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// api is a real neosync-api process on its own database.
type api struct {
	url, dbURL string
	bin        string
	mu         sync.Mutex
	logs       bytes.Buffer
}

func (a *api) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.logs.Write(p)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startAPI builds neosync-api, starts it in API-key mode on a fresh database
// and waits for /healthz.
func startAPI(t *testing.T) *api {
	t.Helper()
	a := &api{dbURL: testdb.Postgres(t, "neosync_worker_start"), bin: filepath.Join(t.TempDir(), "neosync-api")}
	if out, err := exec.Command("go", "build", "-o", a.bin, "github.com/neosyncio/neosync/backend/cmd/neosync-api").CombinedOutput(); err != nil {
		t.Fatalf("build neosync-api: %v\n%s", err, out)
	}
	port := freePort(t)
	a.url = fmt.Sprintf("http://127.0.0.1:%d", port)
	cmd := exec.Command(a.bin, "serve")
	cmd.Env = append(os.Environ(), "NEOSYNC_DB_URL="+a.dbURL, "NEOSYNC_ENCRYPTION_KEY="+testKey, "DB_AUTO_MIGRATE=true",
		"NEOSYNC_AUTH_MODE=apikey", fmt.Sprintf("NEOSYNC_LISTEN_ADDR=127.0.0.1:%d", port), "TEMPORAL_URL=127.0.0.1:1")
	cmd.Stdout, cmd.Stderr = a, a
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			a.mu.Lock()
			t.Logf("API logs:\n%s", a.logs.String())
			a.mu.Unlock()
		}
	})
	for {
		resp, err := http.Get(a.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return a
			}
		}
		if cmd.ProcessState != nil || testdb.Ctx(t).Err() != nil {
			t.Fatalf("the API did not become healthy: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// workerKey creates a worker key with the API's own command.
func (a *api) workerKey(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(a.bin, "apikey", "create", "-worker", "-name", "start-check")
	cmd.Env = append(os.Environ(), "NEOSYNC_DB_URL="+a.dbURL, "NEOSYNC_ENCRYPTION_KEY="+testKey)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("apikey create -worker: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// revokeAll removes every key from the API's database, as a database
// recreated or restored without them would.
func (a *api) revokeAll(t *testing.T) {
	t.Helper()
	ctx := testdb.Ctx(t)
	c, err := pgx.Connect(ctx, a.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, "DELETE FROM api_keys"); err != nil {
		t.Fatal(err)
	}
}

// TestServeExitsOnRejectedKey: a worker whose key the API no longer knows
// says so at start and exits non-zero, instead of polling and failing every run.
func TestServeExitsOnRejectedKey(t *testing.T) {
	a := startAPI(t)
	key := a.workerKey(t)
	c := apiclient.New(a.url, key)
	ctx := testdb.Ctx(t)
	if err := c.CheckKey(ctx, apiclient.CheckOptions{APIURL: a.url}); err != nil {
		t.Fatalf("a fresh worker key: CheckKey = %v, want nil", err)
	}
	// With an accepted key the worker gets past the check to Temporal (here
	// a closed port, so it stops there).
	t.Setenv("NEOSYNC_API_URL", a.url)
	t.Setenv("NEOSYNC_API_KEY", key)
	t.Setenv("TEMPORAL_URL", "127.0.0.1:1")
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"serve"}, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "connect to Temporal") ||
		strings.Contains(stderr.String(), "rejected") {
		t.Fatalf("an accepted key: exit %d, stderr:\n%s\nwant a Temporal error only", code, stderr.String())
	}

	stdout.Reset()
	stderr.Reset()
	if code := run(ctx, []string{"check"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "accepts the worker's key") {
		t.Fatalf("check with an accepted key: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}

	a.revokeAll(t)
	err := c.CheckKey(ctx, apiclient.CheckOptions{APIURL: a.url})
	if !errors.Is(err, apiclient.ErrKeyRejected) {
		t.Fatalf("a revoked key: CheckKey = %v, want ErrKeyRejected", err)
	}

	// The whole binary path: env → config → serve → exit code and message.
	// Temporal is never dialled: the key is checked first.
	stdout.Reset()
	stderr.Reset()
	code := run(ctx, []string{"serve"}, &stdout, &stderr)
	msg := stderr.String()
	if code == 0 {
		t.Fatalf("run serve with a revoked key exited 0; stderr:\n%s", msg)
	}
	for _, want := range []string{"the worker's API key was rejected by the API (NEOSYNC_API_KEY)", a.url, "neosync-api apikey create -worker"} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr does not name %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, key) {
		t.Errorf("stderr shows the key itself:\n%s", msg)
	}

	// make up asks `neosync-worker check` and tells a rejected key (3) from
	// an API that is down (1).
	stdout.Reset()
	stderr.Reset()
	if code := run(ctx, []string{"check"}, &stdout, &stderr); code != exitKeyRejected ||
		!strings.Contains(stderr.String(), "the worker's API key was rejected by the API (NEOSYNC_API_KEY)") {
		t.Errorf("check with a revoked key: exit %d, stderr %q; want %d and the message", code, stderr.String(), exitKeyRejected)
	}
	t.Setenv("NEOSYNC_API_URL", fmt.Sprintf("http://127.0.0.1:%d", freePort(t)))
	stderr.Reset()
	if code := run(ctx, []string{"check"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "NEOSYNC_API_URL") {
		t.Errorf("check against no API: exit %d, stderr %q; want 1 naming NEOSYNC_API_URL", code, stderr.String())
	}
}

// TestCheckKeyUnreachableAPI: an API that does not answer is a typed error
// naming NEOSYNC_API_URL, not a rejected key.
func TestCheckKeyUnreachableAPI(t *testing.T) {
	t.Parallel()
	url := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
	err := apiclient.New(url, "neo_wk_x").CheckKey(testdb.Ctx(t), apiclient.CheckOptions{APIURL: url})
	var unreachable *apiclient.APIUnreachableError
	if !errors.As(err, &unreachable) || errors.Is(err, apiclient.ErrKeyRejected) {
		t.Fatalf("CheckKey = %v, want *APIUnreachableError", err)
	}
	if !strings.Contains(err.Error(), "NEOSYNC_API_URL") || !strings.Contains(err.Error(), url) {
		t.Errorf("message does not name the variable and URL: %v", err)
	}
}
