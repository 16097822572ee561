package layering

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Module is the path prefix of the repository's Go modules.
const Module = "github.com/neosyncio/neosync/"

// Package is the part of `go list -json` output the rules read.
type Package struct {
	ImportPath string
	// DepOnly is true for a package listed only because another one needs it
	// (`go list -deps`); rules are checked for the others.
	DepOnly bool
	// Imports are the direct imports of the package's non-test files.
	Imports []string
	// TestImports and XTestImports are the direct imports of its tests.
	TestImports  []string
	XTestImports []string
}

// Rule forbids packages matching From to import packages matching Forbid.
// A pattern is an import path, or a path followed by "/..." for the path and
// everything below it. Direct rules look at the package's own imports (its
// tests' included); the others at everything it reaches through imports.
type Rule struct {
	// Name says the rule in a few words; Why is the reason shown on failure.
	Name, Why string
	From      []string
	// Except are packages matching From that the rule does not apply to.
	Except []string
	Forbid []string
	// Direct limits the rule to direct imports (for layers that may reach a
	// package through the layer below, but not call it themselves).
	Direct bool
	// SkipTests leaves the package's tests out: a test may do what the code
	// may not (read the rows it wrote, drive the API as a client).
	SkipTests bool
}

// Violation is one package breaking one rule.
type Violation struct {
	Rule    string
	Why     string
	Package string
	// Chain is the import path from Package to the forbidden package.
	Chain []string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s: %s\n\tbreaks %q: %s", trim(v.Package), strings.Join(mapTrim(v.Chain[1:]), " → "), v.Rule, v.Why)
}

// Match reports whether the import path matches the pattern.
func Match(pattern, path string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == base || strings.HasPrefix(path, base+"/")
	}
	return path == pattern
}

func matchAny(patterns []string, path string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return Match(p, path) })
}

// Check returns every violation of rules by pkgs, sorted by package. pkgs
// should hold the whole graph (`go list -deps`) so that a rule on what a
// package reaches can follow imports through third-party packages. A
// package that breaks a rule only through an import that breaks the same
// rule itself is left out: the report names where the bad import is.
func Check(pkgs []Package, rules []Rule) []Violation {
	graph := make(map[string][]string, len(pkgs))
	for _, p := range pkgs {
		graph[p.ImportPath] = p.Imports
	}
	var out []Violation
	for _, r := range rules {
		found := map[string]Violation{}
		for _, p := range pkgs {
			if p.DepOnly || !matchAny(r.From, p.ImportPath) || matchAny(r.Except, p.ImportPath) {
				continue
			}
			if chain := find(graph, p, r); chain != nil {
				found[p.ImportPath] = Violation{Rule: r.Name, Why: r.Why, Package: p.ImportPath, Chain: chain}
			}
		}
		for _, v := range found {
			if _, inherited := found[v.Chain[1]]; !inherited || len(v.Chain) == 2 {
				out = append(out, v)
			}
		}
	}
	slices.SortFunc(out, func(a, b Violation) int {
		return cmp.Or(strings.Compare(a.Package, b.Package), strings.Compare(a.Rule, b.Rule))
	})
	return out
}

// find returns the shortest import chain from p to a package r forbids, or
// nil. Test imports count as p's own imports unless the rule skips tests.
func find(graph map[string][]string, p Package, r Rule) []string {
	first := p.Imports
	if !r.SkipTests {
		first = slices.Concat(p.Imports, p.TestImports, p.XTestImports)
	}
	prev := map[string]string{}
	queue := make([]string, 0, len(first))
	for _, imp := range first {
		if _, seen := prev[imp]; !seen && imp != p.ImportPath {
			prev[imp] = p.ImportPath
			queue = append(queue, imp)
		}
	}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if matchAny(r.Forbid, cur) {
			return chainTo(prev, p.ImportPath, cur)
		}
		if r.Direct {
			continue
		}
		for _, imp := range graph[cur] {
			if _, seen := prev[imp]; !seen && imp != p.ImportPath {
				prev[imp] = cur
				queue = append(queue, imp)
			}
		}
	}
	return nil
}

func chainTo(prev map[string]string, from, to string) []string {
	chain := []string{to}
	for cur := to; cur != from; {
		cur = prev[cur]
		chain = append(chain, cur)
	}
	slices.Reverse(chain)
	return chain
}

func trim(path string) string { return strings.TrimPrefix(path, Module) }

func mapTrim(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = trim(p)
	}
	return out
}
