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

// Apply is the job-file format of `neosync apply -f`, offered by the
// commands that show a job (AddApplyFlag).
const Apply Format = "apply"

// applyFormat is a Format flag that also accepts apply.
type applyFormat struct{ *Format }

func (a applyFormat) Set(s string) error {
	if Format(strings.ToLower(s)) == Apply {
		*a.Format = Apply
		return nil
	}
	if err := a.Format.Set(s); err != nil {
		return fmt.Errorf("must be one of %s, %s", strings.Join(formats, ", "), Apply)
	}
	return nil
}

// AddApplyFlag is AddFlag with the apply format as a fourth choice.
func AddApplyFlag(cmd *cobra.Command, f *Format) {
	*f = Table
	cmd.Flags().VarP(applyFormat{f}, "output", "o", "output format: table, json, yaml or apply (a job file for neosync apply -f)")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(append(formats, string(Apply)), cobra.ShellCompDirectiveNoFileComp))
}

// AddFlag registers -o/--output on cmd, with shell completion of its values.
func AddFlag(cmd *cobra.Command, f *Format) {
	*f = Table
	cmd.Flags().VarP(f, "output", "o", "output format: table, json or yaml")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}
