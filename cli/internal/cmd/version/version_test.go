package version

import (
	"bytes"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/cli/internal/session"
)

func TestVersionClientOnly(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	s := &session.Session{Out: &buf, Err: &buf, LookupEnv: func(string) (string, bool) { return "", false }}
	cmd := NewCommand(s)
	cmd.SetArgs([]string{"--client"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "neosync dev") {
		t.Fatalf("output %q", buf.String())
	}
}
