package devtemporal

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStartServerThatExits: a server that exits during start-up (here a
// stand-in that prints why and exits, as one whose port another process
// took meanwhile does) is launched again on new ports, then reported with
// the end of its output — and Start returns. It used to wait forever:
// start-up consumed the exit, and the clean-up Stop waited for it again
// (an e2e package hung 15 minutes in CI that way).
func TestStartServerThatExits(t *testing.T) {
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	bin := filepath.Join(dir, "temporal")
	script := "#!/bin/sh\necho x >> " + calls + "\necho 'listen tcp 127.0.0.1:7233: bind: address already in use' >&2\nexit 1\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Start(ctx, Options{Binary: bin})
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Start did not return for a server that exits during start-up")
	}
	if !errors.Is(err, errExited) || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("Start = %v; want the exit, with the server's last words", err)
	}
	b, rerr := os.ReadFile(calls)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if n := strings.Count(string(b), "x"); n != startAttempts {
		t.Fatalf("the server was launched %d times, want %d", n, startAttempts)
	}
}
