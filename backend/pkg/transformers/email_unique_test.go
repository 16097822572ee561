package transformers

import (
	"strconv"
	"testing"
)

// TestTransformEmailKeepsUniqueColumnsUnique: distinct addresses stay
// distinct in consistent mode, so a UNIQUE email column can be rebuilt in
// the destination.
func TestTransformEmailKeepsUniqueColumnsUnique(t *testing.T) {
	t.Parallel()
	inst, err := NewRegistry().Build("transform_email", map[string]any{"preserve_domain": true}, Options{Key: []byte("job key")})
	if err != nil {
		t.Fatal(err)
	}
	const n = 100_000
	seen := make(map[string]int, n)
	for i := range n {
		out, err := inst.Transform("user"+strconv.Itoa(i)+"@example.com", nil)
		if err != nil {
			t.Fatal(err)
		}
		if prev, dup := seen[out.(string)]; dup {
			t.Fatalf("inputs %d and %d both became %q", prev, i, out)
		}
		seen[out.(string)] = i
	}
}
