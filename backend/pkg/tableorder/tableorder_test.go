package tableorder

import (
	"reflect"
	"testing"
)

func TestCycles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		tables []string
		edges  []Edge
		want   []Cycle
	}{
		{"acyclic", []string{"a", "b", "c"}, []Edge{{Child: "b", Parent: "a"}, {Child: "c", Parent: "b"}}, nil},
		{"nullable self reference", []string{"emp"}, []Edge{{Child: "emp", Parent: "emp", Nullable: true}},
			[]Cycle{{Tables: []string{"emp"}, Breakable: true}}},
		{"required self reference", []string{"emp"}, []Edge{{Child: "emp", Parent: "emp"}},
			[]Cycle{{Tables: []string{"emp"}, Breakable: false}}},
		{"three cycle with one nullable", []string{"a", "b", "c"},
			[]Edge{{Child: "a", Parent: "b"}, {Child: "b", Parent: "c"}, {Child: "c", Parent: "a", Nullable: true}},
			[]Cycle{{Tables: []string{"a", "b", "c"}, Breakable: true}}},
		{"three cycle all required", []string{"a", "b", "c"},
			[]Edge{{Child: "a", Parent: "b"}, {Child: "b", Parent: "c"}, {Child: "c", Parent: "a"}},
			[]Cycle{{Tables: []string{"a", "b", "c"}, Breakable: false}}},
		{"edges to unmapped tables ignored", []string{"a"}, []Edge{{Child: "a", Parent: "z"}, {Child: "z", Parent: "a"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Cycles(tc.tables, tc.edges); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Cycles = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCycleString(t *testing.T) {
	t.Parallel()
	if got := (Cycle{Tables: []string{"a", "b"}}).String(); got != "a → b → a" {
		t.Fatalf("String = %q", got)
	}
}
