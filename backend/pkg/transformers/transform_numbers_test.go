package transformers

import (
	"math"
	"testing"
)

func TestTransformInt64(t *testing.T) {
	t.Parallel()
	inst := mustBuild(t, "transform_int64", map[string]any{"randomization_range_min": -5, "randomization_range_max": 3}, Options{Key: []byte("k"), Column: "n"})
	for _, tc := range []struct {
		in   any
		base int64
	}{
		{int64(100), 100}, {7, 7}, {int32(-7), -7}, {uint8(9), 9}, {float64(42), 42}, {"  -12 ", -12}, {"3e2", 300}, {[]byte("5"), 5},
	} {
		for i := range 30 {
			in := tc.in
			if i > 0 {
				if b, ok := in.(int64); ok {
					in = b + int64(i*1000)
				}
			}
			base := tc.base
			if b, ok := in.(int64); ok {
				base = b
			}
			if d := asInt64(t, mustRun(t, inst, in)) - base; d < -5 || d > 3 {
				t.Fatalf("%v: delta %d outside [-5, 3]", in, d)
			}
		}
	}
	for _, bad := range []any{"abc", 1.5, true, math.Inf(1), "9223372036854775808", uint64(math.MaxUint64)} {
		_, err := inst.Transform(bad, nil)
		wantValueError(t, err, "transform_int64", "n")
	}
	sat := mustBuild(t, "transform_int64", map[string]any{"randomization_range_min": 10, "randomization_range_max": 20}, Options{Seed: 1})
	if v := mustRun(t, sat, int64(math.MaxInt64-5)); v != int64(math.MaxInt64) {
		t.Fatalf("no saturation: %v", v)
	}
	neg := mustBuild(t, "transform_int64", map[string]any{"randomization_range_min": -20, "randomization_range_max": -10}, Options{Seed: 1})
	if v := mustRun(t, neg, int64(math.MinInt64+5)); v != int64(math.MinInt64) {
		t.Fatalf("no saturation: %v", v)
	}
}

func TestTransformFloat64(t *testing.T) {
	t.Parallel()
	inst := mustBuild(t, "transform_float64", map[string]any{"randomization_range_min": -0.5, "randomization_range_max": 2.5}, Options{Key: []byte("k"), Column: "f"})
	for i := range 200 {
		in := float64(i) * 1.25
		var v any = in
		switch i % 3 {
		case 1:
			v = int64(i)
			in = float64(i)
		case 2:
			v = "  " + formatFloat(in)
		}
		if d := asFloat64(t, mustRun(t, inst, v)) - in; d < -0.5-1e-9 || d > 2.5+1e-9 {
			t.Fatalf("%v: delta %v", v, d)
		}
	}
	for _, bad := range []any{"x", math.NaN(), math.Inf(-1), false} {
		_, err := inst.Transform(bad, nil)
		wantValueError(t, err, "transform_float64", "f")
	}
	big := mustBuild(t, "transform_float64", map[string]any{"randomization_range_min": 1e308, "randomization_range_max": 1e308}, Options{Seed: 1})
	if v := asFloat64(t, mustRun(t, big, 1.7e308)); math.IsInf(v, 0) {
		t.Fatal("overflowed to infinity")
	}
}

func formatFloat(f float64) string { return string(appendValueText(nil, f)) }
