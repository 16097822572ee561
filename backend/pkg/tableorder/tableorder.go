// Package tableorder reasons about the foreign-key graph between tables:
// which cycles exist, whether each can be broken by inserting some
// foreign-key columns as NULL and updating them afterwards, and in which
// order (Sort) tables must be written so parents precede children.
//
// It is pure (no I/O) so the API can validate a job's mappings before any
// write and the sync engine can plan the same way.
package tableorder

import (
	"slices"
	"strings"
)

// Edge is a foreign key from Child to Parent. Nullable means every column of
// the key is nullable, so rows can be inserted with it NULL and fixed later.
type Edge struct {
	Child, Parent string
	Name          string
	Nullable      bool
}

// Cycle is a set of tables that reference each other.
type Cycle struct {
	// Tables in a stable order, starting from the smallest name.
	Tables []string
	// Breakable is true when removing the nullable edges makes it acyclic.
	Breakable bool
}

// String prints the cycle as a → b → a.
func (c Cycle) String() string {
	return strings.Join(append(slices.Clone(c.Tables), c.Tables[0]), " → ")
}

// Cycles returns every cycle (strongly connected component with more than
// one table, or a self-reference) among tables, each marked breakable or not.
func Cycles(tables []string, edges []Edge) []Cycle {
	all := components(tables, edges, func(Edge) bool { return true })
	hard := components(tables, edges, func(e Edge) bool { return !e.Nullable })
	unbreakable := map[string]bool{}
	for _, c := range hard {
		for _, t := range c {
			unbreakable[t] = true
		}
	}
	var out []Cycle
	for _, c := range all {
		breakable := true
		for _, t := range c {
			if unbreakable[t] {
				breakable = false
			}
		}
		out = append(out, Cycle{Tables: c, Breakable: breakable})
	}
	return out
}

// components runs Tarjan's algorithm over the edges keep accepts and returns
// the cyclic components, each sorted, the list sorted by first table.
func components(tables []string, edges []Edge, keep func(Edge) bool) [][]string {
	known := map[string]bool{}
	for _, t := range tables {
		known[t] = true
	}
	adj := map[string][]string{}
	self := map[string]bool{}
	for _, e := range edges {
		if !keep(e) || !known[e.Child] || !known[e.Parent] {
			continue
		}
		if e.Child == e.Parent {
			self[e.Child] = true
			continue
		}
		adj[e.Child] = append(adj[e.Child], e.Parent)
	}
	sorted := slices.Clone(tables)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)

	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	next := 0
	var out [][]string
	var visit func(v string)
	visit = func(v string) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range adj[v] {
			if _, seen := index[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var comp []string
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			if len(comp) > 1 || self[v] {
				slices.Sort(comp)
				out = append(out, comp)
			}
		}
	}
	for _, t := range sorted {
		if _, seen := index[t]; !seen {
			visit(t)
		}
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}
