// Package output renders command results: a human table by default, or the
// API's own messages as JSON or YAML (protojson, so the output can be read
// back with protojson.Unmarshal).
package output

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// Format is an output format chosen with -o.
type Format string

// The formats every read command accepts.
const (
	Table Format = "table"
	JSON  Format = "json"
	YAML  Format = "yaml"
)

var formats = []string{string(Table), string(JSON), string(YAML)}

// String implements pflag.Value.
func (f *Format) String() string {
	if *f == "" {
		return string(Table)
	}
	return string(*f)
}

// Set implements pflag.Value, rejecting unknown formats at parse time.
func (f *Format) Set(s string) error {
	switch Format(strings.ToLower(s)) {
	case Table, JSON, YAML:
		*f = Format(strings.ToLower(s))
		return nil
	}
	return fmt.Errorf("must be one of %s", strings.Join(formats, ", "))
}

// Type implements pflag.Value.
func (f *Format) Type() string { return "format" }

// AddFlag registers -o/--output on cmd, with shell completion of its values.
func AddFlag(cmd *cobra.Command, f *Format) {
	*f = Table
	cmd.Flags().VarP(f, "output", "o", "output format: table, json or yaml")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}
