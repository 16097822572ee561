package transformers

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// goldenFile records the outputs of every system transformer (but the
// JavaScript ones) for fixed inputs, keys and seeds. Consistent mode
// promises the same output for the same key and input across releases, so
// an optimization must leave this file byte-for-byte unchanged. Regenerate
// it only for a deliberate, announced change:
//
//	NEOSYNC_UPDATE_GOLDEN=1 go test ./pkg/transformers -run TestGoldenOutputs
const goldenFile = "testdata/golden_outputs.txt"

// goldenCalls is the number of calls checked per configuration; the
// first goldenShown outputs are written out (so a failure shows what
// changed) and all of them are pinned by a SHA-256 digest, which keeps the
// file small.
const (
	goldenCalls = 300
	goldenShown = 12
)

// goldenVariants are parameter sets recorded in addition to the defaults.
var goldenVariants = map[string][]map[string]any{
	"transform_email": {
		{"preserve_domain": true},
		{"preserve_length": true},
		{"preserve_domain": true, "preserve_length": true},
		{"invalid_email_action": "generate"},
		{"invalid_email_action": "passthrough", "excluded_domains": []any{"example0.com", "corp.io"}},
	},
	"transform_hash": {
		{"algorithm": "sha512"},
		{"algorithm": "md5"},
		{"algorithm": "sha256", "salt": "pepper"},
		{"mode": "hmac"},
		{"mode": "salted"},
	},
	"transform_full_name":           {{"preserve_length": true}},
	"transform_first_name":          {{"preserve_length": true}},
	"transform_last_name":           {{"preserve_length": true}},
	"transform_int64":               {{"randomization_range_min": -1000, "randomization_range_max": 1000}},
	"transform_string":              {{"preserve_length": true}},
	"transform_e164_phone_number":   {{"preserve_length": true}},
	"transform_string_phone_number": {{"preserve_length": true}},
	"transform_int64_phone_number":  {{"preserve_length": true}},
	"generate_uuid":                 {{"include_hyphens": false}},
	"generate_email":                {{"email_type": "uuid_v4"}},
	"generate_categorical":          {{"categories": []any{"a", "b", "c"}}},
	"generate_ip_address":           {{"ip_type": "ipv6"}, {"ip_type": "ipv4_private_b"}},
	"transform_identity_scramble":   {{"min": 1, "max": 1000000}},
}

// goldenModes are the instance options recorded for each configuration.
var goldenModes = []struct {
	name string
	opts Options
}{
	{"key", Options{Key: []byte("golden-job-key")}},
	{"key-max12", Options{Key: []byte("golden-job-key"), MaxLength: 12}},
	{"seed42", Options{Seed: 42}},
	{"key-v2", Options{Key: []byte("golden-job-key"), PRF: PRFv2}},
}

// goldenInput is the i-th fixed input of type t.
func goldenInput(t DataType, i int) any {
	if i%50 == 49 {
		return nil
	}
	switch t {
	case TypeInt64:
		return int64(i*7919 - 100000)
	case TypeFloat64:
		return float64(i)*1.25 - 100.5
	case TypeUUID:
		return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", (i*2654435761)%(1<<32), i, i, i*3, i*977)
	case TypeAny:
		if i%3 == 2 {
			return int64(i * 31)
		}
	}
	switch i % 8 {
	case 0, 1, 2:
		return fmt.Sprintf("user%d@example%d.com", i, i%7)
	case 3:
		return fmt.Sprintf("First%d.Last-%d@corp.io", i, i)
	case 4:
		return fmt.Sprintf("John%d Smith", i)
	case 5:
		return fmt.Sprintf("+1555%07d", i*13)
	case 6:
		return strconv.Itoa(i * 104729)
	}
	return fmt.Sprintf("not an email %d", i)
}

// goldenFormat prints a value with its type, exactly.
func goldenFormat(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case string:
		return "string " + strconv.Quote(x)
	case float64:
		return "float64 " + strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		return "time " + x.Format(time.RFC3339Nano)
	case []byte:
		return "bytes " + strconv.Quote(string(x))
	}
	return fmt.Sprintf("%T %v", v, v)
}

// goldenRun records goldenCalls outputs of one configuration, and checks
// that AppendText and (for strings) AppendTextString give each of them too.
func goldenRun(t *testing.T, d *Definition, params map[string]any, o Options) (string, error) {
	in, err := testRegistry.Build(d.Source, params, o)
	if err != nil {
		return "", err
	}
	// app gives the same outputs through AppendText, and appStr through
	// AppendTextString for string inputs.
	app, err := testRegistry.Build(d.Source, params, o)
	if err != nil {
		return "", err
	}
	appStr, err := testRegistry.Build(d.Source, params, o)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	var dst []byte
	for i := range goldenCalls {
		var v any
		if !d.Generator {
			v = goldenInput(d.InputTypes[i%len(d.InputTypes)], i)
		}
		out, err := in.Transform(v, nil)
		dst = append(dst[:0], "prefix"...)
		appended, text, av, aerr := app.AppendText(dst, v, nil)
		if text {
			av = string(appended[len("prefix"):])
		} else if string(appended) != "prefix" {
			t.Errorf("%s %v: AppendText returned a value and appended %q", d.Source, params, appended)
		}
		if fmt.Sprint(aerr) != fmt.Sprint(err) || goldenFormat(av) != goldenFormat(out) {
			t.Errorf("%s %v (%s): AppendText gives %s, %v; Transform %s, %v", d.Source, params, goldenFormat(v), goldenFormat(av), aerr, goldenFormat(out), err)
		}
		var sv any
		var serr error
		if str, ok := v.(string); ok {
			var stext bool
			appended, stext, sv, serr = appStr.AppendTextString(dst, str, nil)
			if stext {
				sv = string(appended[len("prefix"):])
			}
		} else {
			sv, serr = appStr.Transform(v, nil)
		}
		if fmt.Sprint(serr) != fmt.Sprint(err) || goldenFormat(sv) != goldenFormat(out) {
			t.Errorf("%s %v (%s): AppendTextString gives %s, %v; Transform %s, %v", d.Source, params, goldenFormat(v), goldenFormat(sv), serr, goldenFormat(out), err)
		}
		fmt.Fprintf(&b, "  %s => ", goldenFormat(v))
		if err != nil {
			fmt.Fprintf(&b, "error %q\n", err.Error())
			continue
		}
		b.WriteString(goldenFormat(out))
		b.WriteByte('\n')
	}
	return b.String(), nil
}

func goldenOutputs(t *testing.T) []byte {
	var buf bytes.Buffer
	for _, d := range testRegistry.List() {
		if strings.Contains(d.Source, "javascript") {
			continue
		}
		for _, params := range append([]map[string]any{nil}, goldenVariants[d.Source]...) {
			if params == nil && hasRequiredParam(d) {
				continue
			}
			for _, m := range goldenModes {
				fmt.Fprintf(&buf, "== %s %v %s\n", d.Source, params, m.name)
				first, err := goldenRun(t, d, params, m.opts)
				if err != nil {
					t.Fatalf("%s %v: %v", d.Source, params, err)
				}
				again, _ := goldenRun(t, d, params, m.opts)
				if first != again {
					// Not deterministic in this mode (a random remap key
					// without a job key): nothing to pin.
					buf.WriteString("  (not deterministic)\n")
					continue
				}
				lines := strings.SplitAfter(first, "\n")
				buf.WriteString(strings.Join(lines[:min(goldenShown, len(lines))], ""))
				fmt.Fprintf(&buf, "  sha256 %x\n", sha256.Sum256([]byte(first)))
			}
		}
	}
	return buf.Bytes()
}

func hasRequiredParam(d *Definition) bool {
	for _, p := range d.Params {
		if p.Required {
			return true
		}
	}
	return false
}

// TestGoldenOutputs pins every transformer's output for fixed inputs, keys
// and seeds: consistent mode must not change across releases.
func TestGoldenOutputs(t *testing.T) {
	t.Parallel()
	got := goldenOutputs(t)
	if os.Getenv("NEOSYNC_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(goldenFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(filepath.FromSlash(goldenFile))
	if err != nil {
		t.Fatalf("%v (record it with NEOSYNC_UPDATE_GOLDEN=1)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	section := ""
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if strings.HasPrefix(wl, "== ") {
			section = wl
		}
		if gl != wl {
			t.Fatalf("output changed in %s at line %d:\n got %s\nwant %s", section, i+1, gl, wl)
		}
	}
}
