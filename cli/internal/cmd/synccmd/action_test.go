package synccmd_test

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/neosyncio/neosync/cli/internal/cmd/root"
	"github.com/neosyncio/neosync/cli/internal/session"
)

// TestActionMatchesCommand keeps the GitHub Action (action.yml at the
// repository root) and `neosync sync` from drifting: every input reaches
// the script through an environment variable, and every flag the script
// passes exists on the command.
func TestActionMatchesCommand(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs map[string]struct {
			Description string `yaml:"description"`
		} `yaml:"inputs"`
		Runs struct {
			Using string `yaml:"using"`
			Steps []struct {
				Name string            `yaml:"name"`
				Env  map[string]string `yaml:"env"`
				Run  string            `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatal(err)
	}
	if action.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", action.Runs.Using)
	}
	var env, installEnv map[string]string
	var script, install string
	for _, s := range action.Runs.Steps {
		switch s.Name {
		case "neosync sync":
			env, script = s.Env, s.Run
		case "Install neosync":
			installEnv, install = s.Env, s.Run
		}
	}
	// The inputs that choose how the CLI is installed go to the install step.
	installInputs := map[string]string{"version": "IN_VERSION", "build-from-source": "IN_BUILD_FROM_SOURCE"}
	for name, v := range installInputs {
		if installEnv[v] != "${{ inputs."+name+" }}" || !strings.Contains(install, "$"+v) {
			t.Errorf("input %s does not reach the install step as $%s", name, v)
		}
	}
	if !strings.Contains(install, "scripts/install-cli.sh") {
		t.Error("the install step does not run scripts/install-cli.sh (the checksum check)")
	}
	if script == "" {
		t.Fatal("no step named \"neosync sync\"")
	}
	var buf bytes.Buffer
	cmd := root.NewCommand(&session.Session{Out: &buf, Err: &buf, LookupEnv: func(string) (string, bool) { return "", false }})
	sync, _, err := cmd.Find([]string{"sync"})
	if err != nil || sync.Name() != "sync" {
		t.Fatalf("no sync command: %v", err)
	}
	// Inputs that are settings of every command arrive as the environment
	// the CLI reads; the others as the flag of the same name (plural list
	// inputs map to repeatable singular flags).
	byEnv := map[string]string{"api-url": "NEOSYNC_API_URL", "api-key": "NEOSYNC_API_KEY"}
	flagOf := map[string]string{"include-tables": "include-table", "exclude-tables": "exclude-table"}
	for name, in := range action.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
		if _, ok := installInputs[name]; ok {
			continue
		}
		ref := "${{ inputs." + name + " }}"
		if v, ok := byEnv[name]; ok {
			if env[v] != ref {
				t.Errorf("input %s is not passed as %s", name, v)
			}
			continue
		}
		flag := name
		if f, ok := flagOf[name]; ok {
			flag = f
		}
		if sync.Flags().Lookup(flag) == nil {
			t.Errorf("input %s: neosync sync has no --%s", name, flag)
		}
		v := "IN_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if env[v] != ref {
			t.Errorf("input %s is not passed to the script as %s", name, v)
		}
		if !regexp.MustCompile(`--`+regexp.QuoteMeta(flag)+`\b[^\n]*\$\{?`+v+`\b`).MatchString(script) &&
			!regexp.MustCompile(`\$\{?`+v+`\b[^\n]*--`+regexp.QuoteMeta(flag)+`\b`).MatchString(script) {
			t.Errorf("input %s: the script does not pass $%s as --%s", name, v, flag)
		}
	}
	for _, m := range regexp.MustCompile(`--([a-z][a-z-]*)`).FindAllStringSubmatch(script, -1) {
		if sync.Flags().Lookup(m[1]) == nil && sync.InheritedFlags().Lookup(m[1]) == nil {
			t.Errorf("the script passes --%s, which neosync sync does not have", m[1])
		}
	}
	// Every flag of the command has an input, except those CI does not need.
	skip := map[string]bool{"help": true, "connection-id": true, "batch-size": true, "table-concurrency": true}
	// Importing an S3 export reads a bucket with AWS credentials, not a
	// connection through the API: not what the Action's step does.
	for _, f := range []string{"s3-export-job", "s3-run-id", "s3-bucket", "s3-prefix", "s3-region", "s3-endpoint", "s3-path-style"} {
		skip[f] = true
	}
	inputs := map[string]bool{}
	for name := range action.Inputs {
		if _, ok := installInputs[name]; ok {
			continue
		}
		if f, ok := flagOf[name]; ok {
			name = f
		}
		inputs[name] = true
	}
	sync.Flags().VisitAll(func(f *pflag.Flag) {
		if !skip[f.Name] && !inputs[f.Name] {
			t.Errorf("neosync sync --%s has no input in action.yml", f.Name)
		}
	})
}
