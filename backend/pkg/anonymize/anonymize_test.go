package anonymize

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

type upper struct{}

func (upper) Transform(v any, _ map[string]any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, errors.New("not a string")
	}
	return strings.ToUpper(s), nil
}

type constant struct{ v any }

func (c constant) Transform(any, map[string]any) (any, error) { return c.v, nil }

func TestAnonymize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		mappings []Mapping
		defaults Defaults
		in, want string
	}{
		{"one path", []Mapping{{".user.email", upper{}}}, Defaults{}, `{"user":{"email":"a@b.c","id":1}}`, `{"user":{"email":"A@B.C","id":1}}`},
		{"array iteration", []Mapping{{".users[].name", upper{}}}, Defaults{}, `{"users":[{"name":"ann"},{"name":"bo"}]}`, `{"users":[{"name":"ANN"},{"name":"BO"}]}`},
		{"defaults skip mapped", []Mapping{{".keep", constant{"mapped"}}}, Defaults{String: constant{"x"}, Number: constant{int64(0)}, Boolean: constant{false}},
			`{"keep":"k","s":"s","n":12345678901234567,"b":true,"z":null,"nested":[{"s":"t"}]}`,
			`{"b":false,"keep":"mapped","n":0,"nested":[{"s":"x"}],"s":"x","z":null}`},
		{"big integers untouched", nil, Defaults{}, `{"n":123456789012345678901234567890}`, `{"n":123456789012345678901234567890}`},
		{"missing path is a no-op", []Mapping{{".absent?", upper{}}}, Defaults{}, `{"a":"b"}`, `{"a":"b"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := New(tc.mappings, tc.defaults)
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.Anonymize(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			_ = json.Unmarshal([]byte(got), &g)
			_ = json.Unmarshal([]byte(tc.want), &w)
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestAnonymizeErrors(t *testing.T) {
	t.Parallel()
	var pe *PathError
	if _, err := New([]Mapping{{".a[", upper{}}}, Defaults{}); !errors.As(err, &pe) || pe.Index != 0 {
		t.Fatalf("bad expression: %v", err)
	}
	if _, err := New([]Mapping{{"  ", upper{}}}, Defaults{}); !errors.As(err, &pe) {
		t.Fatalf("empty expression: %v", err)
	}
	a, _ := New([]Mapping{{".n", upper{}}}, Defaults{})
	if _, err := a.Anonymize(`{"n":1}`); err == nil || !strings.Contains(err.Error(), ".n") {
		t.Fatalf("transformer error should name the expression: %v", err)
	}
	if _, err := a.Anonymize(`{"n":`); err == nil {
		t.Fatal("invalid JSON accepted")
	}
	if _, err := a.Anonymize(`{} {}`); err == nil {
		t.Fatal("trailing data accepted")
	}
}

func FuzzAnonymize(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `[1,2,{"a":[true,null]}]`, `"x"`, `{"a":{"a":{"a":"z"}}}`} {
		f.Add(s, ".a")
	}
	f.Fuzz(func(t *testing.T, doc, expr string) {
		a, err := New([]Mapping{{expr, constant{"x"}}}, Defaults{String: upper{}})
		if err != nil {
			return
		}
		out, err := a.Anonymize(doc)
		if err != nil {
			return
		}
		if !json.Valid([]byte(out)) {
			t.Fatalf("output is not JSON: %q", out)
		}
	})
}

func TestRunawayExpressionIsBounded(t *testing.T) {
	t.Parallel()
	a, err := New([]Mapping{{"repeat(.a)", upper{}}}, Defaults{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Anonymize(`{"a":"x"}`); err == nil {
		t.Fatal("a runaway expression must fail")
	}
}
