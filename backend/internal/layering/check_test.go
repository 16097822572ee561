package layering

import (
	"slices"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"a/b/...", "a/b", true},
		{"a/b/...", "a/b/c/d", true},
		{"a/b/...", "a/bc", false},
		{"a/b", "a/b", true},
		{"a/b", "a/b/c", false},
		{"os", "os/exec", false},
	} {
		if got := Match(tc.pattern, tc.path); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	rules := []Rule{
		{Name: "lib never reaches app", From: []string{"m/lib/..."}, Forbid: []string{"m/app/..."}},
		{Name: "handlers never call db", From: []string{"m/app/rpc"}, Forbid: []string{"m/db"}, Direct: true},
	}
	graph := []Package{
		{ImportPath: "m/lib/a", Imports: []string{"fmt", "ext/x"}},
		{ImportPath: "m/lib/clean", Imports: []string{"fmt"}},
		{ImportPath: "m/lib/testonly", TestImports: []string{"m/app/fixture"}},
		{ImportPath: "ext/x", DepOnly: true, Imports: []string{"m/app/core"}},
		{ImportPath: "m/app/core", Imports: []string{"m/db"}},
		{ImportPath: "m/app/fixture"},
		{ImportPath: "m/app/rpc", Imports: []string{"m/app/core"}},
		{ImportPath: "m/app/rpc2", Imports: []string{"m/db"}},
		{ImportPath: "m/db"},
		{ImportPath: "fmt", DepOnly: true},
	}
	for _, tc := range []struct {
		name  string
		pkgs  []Package
		rules []Rule
		want  []string // package: chain
	}{
		{"transitive through a third-party package", graph, rules[:1], []string{"m/lib/a: m/lib/a ext/x m/app/core", "m/lib/testonly: m/lib/testonly m/app/fixture"}},
		{"direct rule ignores what the layer below imports", graph, rules[1:], nil},
		{"direct rule catches its own import", graph, []Rule{{Name: "r", From: []string{"m/app/..."}, Forbid: []string{"m/db"}, Direct: true}}, []string{"m/app/core: m/app/core m/db", "m/app/rpc2: m/app/rpc2 m/db"}},
		{"except", graph, []Rule{{Name: "r", From: []string{"m/app/..."}, Except: []string{"m/app/core"}, Forbid: []string{"m/db"}, Direct: true}}, []string{"m/app/rpc2: m/app/rpc2 m/db"}},
		{"skip tests", graph, []Rule{{Name: "r", From: []string{"m/lib/..."}, Forbid: []string{"m/app/fixture"}, SkipTests: true}}, nil},
		{"a package breaking a rule through one that breaks it is left out", []Package{
			{ImportPath: "m/lib/top", Imports: []string{"m/lib/mid"}},
			{ImportPath: "m/lib/mid", Imports: []string{"m/app/core"}},
			{ImportPath: "m/lib/direct", Imports: []string{"m/lib/mid", "m/app/core"}},
			{ImportPath: "m/app/core"},
		}, rules[:1], []string{"m/lib/direct: m/lib/direct m/app/core", "m/lib/mid: m/lib/mid m/app/core"}},
		{"a dependency-only package is not checked", graph, []Rule{{Name: "r", From: []string{"ext/..."}, Forbid: []string{"m/..."}}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, v := range Check(tc.pkgs, tc.rules) {
				got = append(got, v.Package+": "+strings.Join(v.Chain, " "))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Check = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestViolationString(t *testing.T) {
	t.Parallel()
	v := Violation{Rule: "r", Why: "because", Package: Module + "backend/pkg/a", Chain: []string{Module + "backend/pkg/a", "ext/x", Module + "backend/internal/b"}}
	want := "backend/pkg/a: ext/x → backend/internal/b\n\tbreaks \"r\": because"
	if got := v.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
