package transformers

import (
	"errors"
	"math/rand/v2"
	"net/mail"
	"strings"
	"testing"
)

// testRegistry is shared by the tests; a Registry is read-only.
var testRegistry = NewRegistry()

// mustBuild builds source through the registry or fails the test.
func mustBuild(t testing.TB, source string, params map[string]any, o Options) *Instance {
	t.Helper()
	in, err := testRegistry.Build(source, params, o)
	if err != nil {
		t.Fatalf("Build(%s, %v): %v", source, params, err)
	}
	return in
}

// mustRun transforms v or fails the test.
func mustRun(t testing.TB, in *Instance, v any) any {
	t.Helper()
	out, err := in.Transform(v, nil)
	if err != nil {
		t.Fatalf("%s(%v): %v", in.Definition().Source, v, err)
	}
	return out
}

// asString fails unless v is a string.
func asString(t testing.TB, v any) string {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("output %v is %T, want string", v, v)
	}
	return s
}

// asInt64 fails unless v is an int64.
func asInt64(t testing.TB, v any) int64 {
	t.Helper()
	i, ok := v.(int64)
	if !ok {
		t.Fatalf("output %v is %T, want int64", v, v)
	}
	return i
}

// asFloat64 fails unless v is a float64.
func asFloat64(t testing.TB, v any) float64 {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("output %v is %T, want float64", v, v)
	}
	return f
}

// emailProblem explains why s is not a plain, valid address ("" if it is).
func emailProblem(s string) string {
	if strings.Count(s, "@") != 1 {
		return "not exactly one @"
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return err.Error()
	}
	if a.Address != s || a.Name != "" {
		return "net/mail reads it as " + a.String()
	}
	if _, _, ok := splitEmail(s); !ok {
		return "rejected by splitEmail"
	}
	return ""
}

// checkEmail fails unless s is a plain, valid address.
func checkEmail(t testing.TB, s string) {
	t.Helper()
	if p := emailProblem(s); p != "" {
		t.Fatalf("%q is not a valid email: %s", s, p)
	}
}

// wantValueError fails unless err is a *ValueError of source on column.
func wantValueError(t testing.TB, err error, source, column string) {
	t.Helper()
	var ve *ValueError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v (%T), want *ValueError", err, err)
	}
	if ve.Transformer != source || ve.Column != column {
		t.Fatalf("ValueError names %s/%s, want %s/%s", ve.Transformer, ve.Column, source, column)
	}
}

// wantParamError fails unless err is a *ParamError on param.
func wantParamError(t testing.TB, err error, param string) {
	t.Helper()
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Param != param {
		t.Fatalf("err = %v, want *ParamError on %s", err, param)
	}
}

// luhnValid reports whether the digits of s pass the Luhn check.
func luhnValid(s string) bool {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// newTestRand returns a fixed random source.
func newTestRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }
