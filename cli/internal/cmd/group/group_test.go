package group

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestGroup(t *testing.T) {
	t.Parallel()
	newTree := func(out *bytes.Buffer) *cobra.Command {
		root := &cobra.Command{Use: "neosync", SilenceErrors: true, SilenceUsage: true}
		list := &cobra.Command{Use: "list", RunE: func(*cobra.Command, []string) error { return nil }}
		// get is two edits from "lst" too, but list is one: only list is suggested.
		get := &cobra.Command{Use: "get", RunE: func(*cobra.Command, []string) error { return nil }}
		g := New("connections", "Manage connections", "", "", list, get)
		root.AddCommand(g)
		root.SetOut(out)
		return root
	}
	var out bytes.Buffer
	root := newTree(&out)
	root.SetArgs([]string{"connections", "lst"})
	err := root.Execute()
	want := `unknown command "lst" for "neosync connections"; did you mean list? (see neosync connections --help)`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	out.Reset()
	root = newTree(&out)
	root.SetArgs([]string{"connections"})
	if err := root.Execute(); err != nil || !strings.Contains(out.String(), "Available Commands") {
		t.Fatalf("help: %v\n%s", err, out.String())
	}
}
