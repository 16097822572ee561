package root

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/neosyncio/neosync/cli/internal/session"
)

// TestEveryCommandIsDocumented walks the tree: every command has a short
// description and examples, and every list/get command offers -o.
func TestEveryCommandIsDocumented(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	root := NewCommand(&session.Session{Out: &buf, Err: &buf, LookupEnv: func(string) (string, bool) { return "", false }})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := c.CommandPath()
		if c.Short == "" {
			t.Errorf("%s has no short description", path)
		}
		if c.Example == "" {
			t.Errorf("%s has no examples", path)
		}
		if name := c.Name(); (name == "list" || name == "get") && c.Flags().Lookup("output") == nil {
			t.Errorf("%s has no -o flag", path)
		}
		for _, sub := range c.Commands() {
			if sub.Name() != "help" && sub.Name() != "completion" {
				walk(sub)
			}
		}
	}
	walk(root)
	if !strings.Contains(root.Long, "NEOSYNC_CONFIG_DIR") {
		t.Error("root help does not explain the configuration")
	}
}

// TestVersionFlag checks that neosync --version prints the client's build
// and succeeds without an API.
func TestVersionFlag(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	root := NewCommand(&session.Session{Out: &buf, Err: &buf, LookupEnv: func(string) (string, bool) { return "", false }})
	root.SetArgs([]string{"--version"})
	if err := root.Execute(); err != nil {
		t.Fatalf("neosync --version: %v", err)
	}
	if got := buf.String(); !strings.HasPrefix(got, "neosync ") || !strings.Contains(got, "(commit ") {
		t.Fatalf("neosync --version printed %q", got)
	}
}
