package transformers

import (
	"strconv"
	"testing"
)

func BenchmarkGenerators(b *testing.B) {
	for _, src := range []string{
		"generate_int64", "generate_bool", "generate_uuid", "generate_first_name", "generate_full_name",
		"generate_email", "generate_e164_phone_number", "generate_ssn", "generate_float64", "generate_ip_address",
	} {
		b.Run(src, func(b *testing.B) {
			in := mustBuild(b, src, nil, Options{Seed: 1, MaxLength: 255})
			b.ReportAllocs()
			for b.Loop() {
				if _, err := in.Transform(nil, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTransforms(b *testing.B) {
	for _, tc := range []struct {
		source string
		params map[string]any
		input  func(i int) any
	}{
		{"transform_email", nil, func(i int) any { return "user" + strconv.Itoa(i) + "@example.com" }},
		{"transform_email", map[string]any{"preserve_domain": true, "preserve_length": true}, func(i int) any { return "user" + strconv.Itoa(i) + "@example.com" }},
		{"transform_full_name", nil, func(i int) any { return "John Smith" + strconv.Itoa(i) }},
		{"transform_full_name", map[string]any{"preserve_length": true}, func(i int) any { return "John Smith" + strconv.Itoa(i) }},
		{"transform_int64", nil, func(i int) any { return int64(i) }},
		{"transform_string_phone_number", map[string]any{"preserve_length": true}, func(i int) any { return "(555) 123-" + strconv.Itoa(1000+i) }},
	} {
		name := tc.source
		if tc.params != nil {
			name += "/preserve"
		}
		b.Run(name, func(b *testing.B) {
			in := mustBuild(b, tc.source, tc.params, Options{Key: []byte("bench-key"), MaxLength: 255})
			inputs := make([]any, 1024)
			for i := range inputs {
				inputs[i] = tc.input(i % 10000)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := in.Transform(inputs[i&1023], nil); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkConsistentColumns measures the four transformers of `make
// bench` (sqlsync's BenchmarkPostgresSync) as the relay calls them: in
// consistent mode with a job key, on inputs already boxed, so that ns/op and
// allocs/op are the transformer's own.
func BenchmarkConsistentColumns(b *testing.B) {
	inputs := make([]any, 1024)
	for _, tc := range []struct {
		source string
		input  func(i int) any
	}{
		{"transform_email", func(i int) any { return "user" + strconv.Itoa(i) + "@example.com" }},
		{"generate_first_name", func(int) any { return nil }},
		{"generate_last_name", func(int) any { return nil }},
		{"transform_hash", func(i int) any { return strconv.Itoa(100000000 + i*7919) }},
	} {
		for i := range inputs {
			inputs[i] = tc.input(i)
		}
		b.Run(tc.source, func(b *testing.B) {
			in := mustBuild(b, tc.source, nil, Options{Key: []byte("bench key")})
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := in.Transform(inputs[i%len(inputs)], nil); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkConsistentPRF compares transform_email in consistent mode under
// PRFv1 (AES of FNV-128a) and PRFv2 (AES-CMAC under an HKDF sub-key), on
// string inputs passed unboxed as the PostgreSQL relay passes them.
func BenchmarkConsistentPRF(b *testing.B) {
	inputs := make([]string, 1024)
	for i := range inputs {
		inputs[i] = "user" + strconv.Itoa(i) + "@example.com"
	}
	for _, v := range []PRFVersion{PRFv1, PRFv2} {
		b.Run("transform_email/"+v.String(), func(b *testing.B) {
			in := mustBuild(b, "transform_email", nil, Options{Key: []byte("bench key"), PRF: v})
			b.ReportAllocs()
			var buf []byte
			i := 0
			for b.Loop() {
				var err error
				if buf, _, _, err = in.AppendTextString(buf[:0], inputs[i&1023], nil); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
