package transformers

import (
	"errors"
	"testing"
)

// testDef is a consistent transformer that returns a random number, so tests
// can observe seeding.
func testDef() *Definition {
	return &Definition{
		Source: "test_random", InputTypes: []DataType{TypeAny}, Output: TypeInt64, Consistent: true,
		Params: []Param{
			{Name: "n", Type: ParamInt, Default: int64(5), Min: fptr(1), Max: fptr(10)},
			{Name: "mode", Type: ParamString, Allowed: []string{"a", "b"}},
			{Name: "tags", Type: ParamStringList},
			{Name: "must", Type: ParamBool, Required: true},
		},
		Build: func(p Params, _ Options) (Func, error) {
			return func(c *Call) (any, error) { return c.Rand.Int64(), nil }, nil
		},
	}
}

func TestConsistentSeeding(t *testing.T) {
	t.Parallel()
	d := testDef()
	build := func(o Options) *Instance {
		p, err := validateParams(d, map[string]any{"must": true})
		if err != nil {
			t.Fatal(err)
		}
		fn, _ := d.Build(p, o)
		in, err := newInstance(d, fn, o)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	k1 := build(Options{Key: []byte("job-key-1")})
	k1b := build(Options{Key: []byte("job-key-1")})
	k2 := build(Options{Key: []byte("job-key-2")})
	a, _ := k1.Transform("alice@example.com", nil)
	b, _ := k1b.Transform("alice@example.com", nil)
	c, _ := k2.Transform("alice@example.com", nil)
	d1, _ := k1.Transform("bob@example.com", nil)
	again, _ := k1.Transform("alice@example.com", nil)
	if a != b || a != again {
		t.Fatalf("same key and input gave %v, %v, %v", a, b, again)
	}
	if a == c || a == d1 {
		t.Fatalf("other key or input gave the same output")
	}
	if x, _ := k1.Transform(int64(42), nil); x == a {
		t.Fatal("int and string inputs collide")
	}
	s1 := build(Options{Seed: 7})
	s2 := build(Options{Seed: 7})
	for range 3 {
		x, _ := s1.Transform("v", nil)
		y, _ := s2.Transform("v", nil)
		if x != y {
			t.Fatal("seeded random mode is not reproducible")
		}
	}
	if v, _ := k1.Transform(nil, nil); v != nil {
		t.Fatal("NULL did not stay NULL")
	}
}

func TestValidateParams(t *testing.T) {
	t.Parallel()
	d := testDef()
	tests := []struct {
		name  string
		raw   map[string]any
		param string
	}{
		{"missing required", map[string]any{}, "must"},
		{"below min", map[string]any{"must": true, "n": 0.0}, "n"},
		{"above max", map[string]any{"must": true, "n": 11}, "n"},
		{"fraction", map[string]any{"must": true, "n": 1.5}, "n"},
		{"not allowed", map[string]any{"must": true, "mode": "c"}, "mode"},
		{"wrong type", map[string]any{"must": "yes"}, "must"},
		{"bad list", map[string]any{"must": true, "tags": []any{1}}, "tags"},
		{"unknown", map[string]any{"must": true, "typo": 1}, "typo"},
	}
	for _, tc := range tests {
		_, err := validateParams(d, tc.raw)
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Param != tc.param {
			t.Errorf("%s: err = %v, want ParamError on %s", tc.name, err, tc.param)
		}
	}
	p, err := validateParams(d, map[string]any{"must": true, "n": 3.0, "tags": []any{"x"}})
	if err != nil || p.Int("n") != 3 || p.Strings("tags")[0] != "x" {
		t.Fatalf("valid params: %v %v", p, err)
	}
	if p, _ := validateParams(d, map[string]any{"must": true}); p.Int("n") != 5 {
		t.Fatal("default not applied")
	}
}

func TestRegistryCore(t *testing.T) {
	t.Parallel()
	r := NewRegistry()
	var ue *UnknownTransformerError
	if _, err := r.Build("nope", nil, Options{}); !errors.As(err, &ue) {
		t.Fatalf("unknown source: %v", err)
	}
	pt, err := r.Build("passthrough", nil, Options{MaxLength: 3})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := pt.Transform("héllo", nil); v != "hél" {
		t.Fatalf("max length not honoured: %q", v)
	}
	def, _ := r.Build("generate_default", nil, Options{})
	if v, _ := def.Transform("x", nil); !IsColumnDefault(v) {
		t.Fatal("generate_default")
	}
}
