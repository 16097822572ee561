package tableorder

import (
	"errors"
	"reflect"
	"slices"
	"testing"
)

func TestSort(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		tables   []string
		edges    []Edge
		want     []string
		deferred []string // edge names
	}{
		{"chain", []string{"c", "b", "a"}, []Edge{{Child: "b", Parent: "a", Name: "b_a"}, {Child: "c", Parent: "b", Name: "c_b"}},
			[]string{"a", "b", "c"}, nil},
		{"independent tables sorted by name", []string{"z", "y", "x"}, nil, []string{"x", "y", "z"}, nil},
		{"self reference deferred", []string{"emp"}, []Edge{{Child: "emp", Parent: "emp", Name: "boss", Nullable: true}},
			[]string{"emp"}, []string{"boss"}},
		{"three cycle breaks only the nullable edge", []string{"a", "b", "c"},
			[]Edge{{Child: "a", Parent: "b", Name: "a_b"}, {Child: "b", Parent: "c", Name: "b_c"}, {Child: "c", Parent: "a", Name: "c_a", Nullable: true}},
			[]string{"c", "b", "a"}, []string{"c_a"}},
		{"three cycle all nullable defers one edge", []string{"a", "b", "c"},
			[]Edge{{Child: "a", Parent: "b", Name: "a_b", Nullable: true}, {Child: "b", Parent: "c", Name: "b_c", Nullable: true}, {Child: "c", Parent: "a", Name: "c_a", Nullable: true}},
			[]string{"c", "b", "a"}, []string{"c_a"}},
		{"nullable edge outside a cycle is kept", []string{"a", "b"}, []Edge{{Child: "b", Parent: "a", Name: "b_a", Nullable: true}},
			[]string{"a", "b"}, nil},
		{"edges to unknown tables ignored", []string{"a"}, []Edge{{Child: "a", Parent: "zz", Name: "x"}}, []string{"a"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Sort(tc.tables, tc.edges)
			if err != nil {
				t.Fatalf("Sort: %v", err)
			}
			if !reflect.DeepEqual(got.Tables, tc.want) {
				t.Fatalf("Tables = %v, want %v", got.Tables, tc.want)
			}
			var names []string
			for _, e := range got.Deferred {
				names = append(names, e.Name)
			}
			if !reflect.DeepEqual(names, tc.deferred) {
				t.Fatalf("Deferred = %v, want %v", names, tc.deferred)
			}
			assertTopological(t, got, tc.edges)
		})
	}
}

// assertTopological checks that every kept edge points backwards in the order.
func assertTopological(t *testing.T, o Order, edges []Edge) {
	t.Helper()
	pos := map[string]int{}
	for i, n := range o.Tables {
		pos[n] = i
	}
	for _, e := range edges {
		pi, okp := pos[e.Parent]
		ci, okc := pos[e.Child]
		if !okp || !okc || e.Child == e.Parent || slices.Contains(o.Deferred, e) {
			continue
		}
		if pi >= ci {
			t.Fatalf("edge %s: parent %s at %d not before child %s at %d", e.Name, e.Parent, pi, e.Child, ci)
		}
		if !slices.Contains(o.DependsOn[e.Child], e.Parent) {
			t.Fatalf("DependsOn[%s] = %v lacks %s", e.Child, o.DependsOn[e.Child], e.Parent)
		}
	}
}

func TestSortUnbreakable(t *testing.T) {
	t.Parallel()
	_, err := Sort([]string{"a", "b"}, []Edge{{Child: "a", Parent: "b"}, {Child: "b", Parent: "a"}})
	var ce *CycleError
	if !errors.As(err, &ce) || len(ce.Cycles) != 1 || ce.Error() == "" {
		t.Fatalf("err = %v, want one unbreakable cycle", err)
	}
}
