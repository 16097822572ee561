package tableorder

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Order is a write order for a set of tables: every table comes after the
// tables it references through the edges that were kept, and the Deferred
// edges are the ones a writer must insert as NULL and fill in with an
// UPDATE once every table is loaded.
type Order struct {
	// Tables lists every table once, parents before children. Ties are
	// broken by name, so the order is deterministic.
	Tables []string
	// DependsOn maps a table to the parents it must wait for (kept edges
	// only, self references excluded), sorted. Tables without parents are
	// absent. Two tables that do not depend on each other, directly or
	// transitively, may be written in parallel.
	DependsOn map[string][]string
	// Deferred are the edges broken to make the graph acyclic, sorted by
	// child, parent and name. Every one of them is Nullable.
	Deferred []Edge
}

// CycleError reports cycles that no nullable foreign key can break: some
// rows could never be inserted without violating a NOT NULL foreign key.
type CycleError struct {
	Cycles []Cycle
}

// Error names the cycles.
func (e *CycleError) Error() string {
	parts := make([]string, len(e.Cycles))
	for i, c := range e.Cycles {
		parts[i] = c.String()
	}
	return fmt.Sprintf("foreign key cycle with no nullable foreign key to break it: %s", strings.Join(parts, "; "))
}

// Sort orders tables for writing. Edges whose child or parent is not in
// tables are ignored. Every cycle (self references included) is broken by
// deferring nullable edges inside it: first all of them, then each one is
// restored, in sorted order, when restoring it keeps the graph acyclic, so
// the deferred set is minimal (no edge can be taken back) though not
// necessarily the smallest possible. A self reference is always deferred.
// Sort returns a *CycleError when some cycle has no nullable edge.
func Sort(tables []string, edges []Edge) (Order, error) {
	names := slices.Clone(tables)
	slices.Sort(names)
	names = slices.Compact(names)
	known := map[string]bool{}
	for _, t := range names {
		known[t] = true
	}
	var inside []Edge
	for _, e := range edges {
		if known[e.Child] && known[e.Parent] {
			inside = append(inside, e)
		}
	}
	slices.SortFunc(inside, compareEdges)

	var hard []Cycle
	for _, c := range Cycles(names, inside) {
		if !c.Breakable {
			hard = append(hard, c)
		}
	}
	if len(hard) > 0 {
		return Order{}, &CycleError{Cycles: hard}
	}

	inCycle := map[string]int{}
	for i, c := range components(names, inside, func(Edge) bool { return true }) {
		for _, t := range c {
			inCycle[t] = i + 1
		}
	}
	var kept, candidates []Edge
	for _, e := range inside {
		switch {
		case e.Child == e.Parent && e.Nullable:
			candidates = append(candidates, e)
		case e.Nullable && inCycle[e.Child] != 0 && inCycle[e.Child] == inCycle[e.Parent]:
			candidates = append(candidates, e)
		default:
			kept = append(kept, e)
		}
	}
	var deferred []Edge
	for _, e := range candidates {
		if e.Child != e.Parent && acyclic(names, append(kept, e)) {
			kept = append(kept, e)
			continue
		}
		deferred = append(deferred, e)
	}

	order, dependsOn := kahn(names, kept)
	return Order{Tables: order, DependsOn: dependsOn, Deferred: deferred}, nil
}

func compareEdges(a, b Edge) int {
	return cmp.Or(cmp.Compare(a.Child, b.Child), cmp.Compare(a.Parent, b.Parent), cmp.Compare(a.Name, b.Name))
}

// acyclic reports whether edges (self references included) form no cycle.
func acyclic(tables []string, edges []Edge) bool {
	return len(components(tables, edges, func(Edge) bool { return true })) == 0
}

// kahn topologically sorts an acyclic graph, smallest name first among the
// tables that are ready, and returns each table's distinct parents.
func kahn(tables []string, edges []Edge) ([]string, map[string][]string) {
	parents := map[string][]string{}
	children := map[string][]string{}
	for _, e := range edges {
		if e.Child == e.Parent || slices.Contains(parents[e.Child], e.Parent) {
			continue
		}
		parents[e.Child] = append(parents[e.Child], e.Parent)
		children[e.Parent] = append(children[e.Parent], e.Child)
	}
	waiting := map[string]int{}
	var ready []string
	for _, t := range tables {
		waiting[t] = len(parents[t])
		if waiting[t] == 0 {
			ready = append(ready, t)
		}
	}
	order := make([]string, 0, len(tables))
	for len(ready) > 0 {
		slices.Sort(ready)
		t := ready[0]
		ready = ready[1:]
		order = append(order, t)
		for _, c := range children[t] {
			waiting[c]--
			if waiting[c] == 0 {
				ready = append(ready, c)
			}
		}
	}
	for t, ps := range parents {
		slices.Sort(ps)
		parents[t] = ps
	}
	return order, parents
}
