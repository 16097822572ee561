package session

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal and returns its terminal side.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	t.Cleanup(func() { _ = ptm.Close() })
	if err := unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ptm.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	pts, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("open pts: %v", err)
	}
	t.Cleanup(func() { _ = pts.Close() })
	return pts
}

// TestLiveViewOnlyOnACapableTerminal: a real terminal gets the redrawn
// view; TERM=dumb, CI and a pipe get plain lines.
func TestLiveViewOnlyOnACapableTerminal(t *testing.T) {
	t.Parallel()
	pts := openPTY(t)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pr.Close(); _ = pw.Close() })
	for _, tc := range []struct {
		env  map[string]string
		out  *os.File
		want bool
	}{
		{map[string]string{"TERM": "xterm-256color"}, pts, true},
		{map[string]string{"TERM": "dumb"}, pts, false},
		{map[string]string{"TERM": "xterm", "CI": "true"}, pts, false},
		{map[string]string{"TERM": "xterm"}, pw, false},
	} {
		s := &Session{LookupEnv: func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }}
		if got := s.IsTerminal(tc.out); got != tc.want {
			t.Errorf("IsTerminal(%s) with %v = %v, want %v", tc.out.Name(), tc.env, got, tc.want)
		}
		if got := s.LiveWidth(tc.out) > 0; got != tc.want {
			t.Errorf("LiveWidth(%s) with %v > 0 = %v, want %v", tc.out.Name(), tc.env, got, tc.want)
		}
	}
}
