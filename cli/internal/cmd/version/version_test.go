package version

import (
	"bytes"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	cmd := NewCommand(&buf)
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "neosync dev") {
		t.Fatalf("output %q", buf.String())
	}
}
