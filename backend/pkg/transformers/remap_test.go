package transformers

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"
)

// remapRegistry is the registry of the remap and JavaScript tests.
var remapRegistry = NewRegistry()

func remapBuild(t testing.TB, source string, params map[string]any, o Options) *Instance {
	t.Helper()
	in, err := remapRegistry.Build(source, params, o)
	if err != nil {
		t.Fatalf("Build(%s, %v): %v", source, params, err)
	}
	return in
}

func remapRun(t testing.TB, in *Instance, v any) any {
	t.Helper()
	out, err := in.Transform(v, nil)
	if err != nil {
		t.Fatalf("%s(%v): %v", in.Definition().Source, v, err)
	}
	return out
}

var (
	jobKey1 = Options{Key: []byte("job key one"), Column: "id"}
	jobKey2 = Options{Key: []byte("job key two"), Column: "id"}
)

func TestRemapCatalogue(t *testing.T) {
	t.Parallel()
	for _, d := range remapDefinitions() {
		if !strings.HasPrefix(d.Source, "transform_") || d.Generator || !d.Consistent || len(d.InputTypes) == 0 ||
			len(d.JobTypes) != 1 || d.JobTypes[0] != JobSync || d.Name == "" || d.Description == "" {
			t.Errorf("%s: remaps are consistent sync transforms with inputs, a name and a description", d.Source)
		}
		for _, p := range d.Params {
			if p.Description == "" {
				t.Errorf("%s: parameter %s has no description", d.Source, p.Name)
			}
		}
		if _, err := remapRegistry.Build(d.Source, nil, Options{}); err != nil {
			t.Errorf("%s with defaults: %v", d.Source, err)
		}
	}
}

func TestIdentityScrambleBijectiveRange(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{jobKey1, {Seed: 9}, {}} {
		in := remapBuild(t, "transform_identity_scramble", map[string]any{"min": 0, "max": 999}, o)
		seen := map[int64]bool{}
		moved := 0
		for x := int64(0); x <= 999; x++ {
			y := remapRun(t, in, x).(int64)
			if y < 0 || y > 999 || seen[y] {
				t.Fatalf("%v: %d -> %d (out of range or collision)", o, x, y)
			}
			seen[y] = true
			if y != x {
				moved++
			}
		}
		if moved < 900 {
			t.Fatalf("only %d of 1000 values moved", moved)
		}
	}
	// Negative ranges and a range of one.
	in := remapBuild(t, "transform_identity_scramble", map[string]any{"min": -50, "max": -40}, jobKey1)
	seen := map[int64]bool{}
	for x := int64(-50); x <= -40; x++ {
		y := remapRun(t, in, x).(int64)
		if y < -50 || y > -40 || seen[y] {
			t.Fatalf("%d -> %d", x, y)
		}
		seen[y] = true
	}
	one := remapBuild(t, "transform_identity_scramble", map[string]any{"min": 5, "max": 5}, jobKey1)
	if y := remapRun(t, one, int64(5)); y != int64(5) {
		t.Fatalf("range of one: %v", y)
	}
}

func TestIdentityScrambleTypes(t *testing.T) {
	t.Parallel()
	in := remapBuild(t, "transform_identity_scramble", nil, jobKey1)
	want := remapRun(t, in, int64(42)).(int64)
	for _, v := range []any{42, int32(42), uint8(42), 42.0, uint64(42)} {
		if got := remapRun(t, in, v); got != want {
			t.Fatalf("%T input: %v, want int64 %d", v, got, want)
		}
	}
	if got := remapRun(t, in, "42"); got != fmt.Sprint(want) {
		t.Fatalf("string input: %#v, want %q", got, fmt.Sprint(want))
	}
	for _, x := range []int64{math.MinInt64, math.MaxInt64, -1, 0} {
		remapRun(t, in, x)
	}
	if v, err := in.Transform(nil, nil); v != nil || err != nil {
		t.Fatalf("NULL: %v %v", v, err)
	}
	for _, bad := range []any{42.5, "4x2", "", true, math.Inf(1), uint64(math.MaxUint64)} {
		_, err := in.Transform(bad, nil)
		var ve *ValueError
		if !errors.As(err, &ve) || ve.Column != "id" || ve.Transformer != "transform_identity_scramble" {
			t.Fatalf("%#v: err = %v, want ValueError on column id", bad, err)
		}
	}
	ranged := remapBuild(t, "transform_identity_scramble", map[string]any{"min": 1, "max": 100}, jobKey1)
	if _, err := ranged.Transform(int64(101), nil); err == nil {
		t.Fatal("value above max accepted")
	}
	_, err := remapRegistry.Build("transform_identity_scramble", map[string]any{"min": 10, "max": 9}, jobKey1)
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Param != "min" {
		t.Fatalf("min > max: %v", err)
	}
	// Only min or only max: the other bound is the int64 limit.
	lo := remapBuild(t, "transform_identity_scramble", map[string]any{"min": 0}, jobKey1)
	if y := remapRun(t, lo, int64(math.MaxInt64)).(int64); y < 0 {
		t.Fatalf("min 0 gave %d", y)
	}
}

func TestIdentityScrambleConsistentAndFK(t *testing.T) {
	t.Parallel()
	pk := remapBuild(t, "transform_identity_scramble", nil, jobKey1)
	fk := remapBuild(t, "transform_identity_scramble", nil, Options{Key: []byte("job key one"), Column: "user_id"})
	other := remapBuild(t, "transform_identity_scramble", nil, jobKey2)
	same := 0
	for x := int64(1); x <= 1000; x++ {
		a, b, c := remapRun(t, pk, x), remapRun(t, fk, x), remapRun(t, other, x)
		if a != b {
			t.Fatalf("pk %d -> %v but fk -> %v", x, a, b)
		}
		if a == c {
			same++
		}
		if again := remapRun(t, pk, x); again != a {
			t.Fatal("not deterministic")
		}
	}
	if same > 0 {
		t.Fatalf("%d of 1000 equal under another key", same)
	}
	// Random mode with a fixed seed is reproducible.
	s1 := remapBuild(t, "transform_identity_scramble", nil, Options{Seed: 3})
	s2 := remapBuild(t, "transform_identity_scramble", nil, Options{Seed: 3})
	if remapRun(t, s1, int64(7)) != remapRun(t, s2, int64(7)) {
		t.Fatal("seeded random mode not reproducible")
	}
}

// TestIdentityScrambleUnique1M remaps one million sequential keys.
func TestIdentityScrambleUnique1M(t *testing.T) {
	t.Parallel()
	in := remapBuild(t, "transform_identity_scramble", nil, jobKey1)
	const n = 1_000_000
	out := make([]int64, n)
	for i := range out {
		out[i] = remapRun(t, in, int64(i+1)).(int64)
	}
	slices.Sort(out)
	for i := 1; i < n; i++ {
		if out[i] == out[i-1] {
			t.Fatalf("collision on %d", out[i])
		}
	}
}

func TestUUIDRemapFormats(t *testing.T) {
	t.Parallel()
	in := remapBuild(t, "transform_uuid", nil, jobKey1)
	const base = "6ba7b810-9dad-41d1-80b4-00c04fd430c8"
	canon := remapRun(t, in, base).(string)
	if len(canon) != 36 || canon == base || strings.ToLower(canon) != canon {
		t.Fatalf("canonical output %q", canon)
	}
	u, err := uuid.Parse(canon)
	if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 {
		t.Fatalf("output %q: version/variant changed (%v)", canon, err)
	}
	plain := strings.ReplaceAll(canon, "-", "")
	for input, want := range map[string]string{
		strings.ToUpper(base):                  strings.ToUpper(canon),
		strings.ReplaceAll(base, "-", ""):      plain,
		"{" + base + "}":                       "{" + canon + "}",
		"urn:uuid:" + base:                     "urn:uuid:" + canon,
		"URN:UUID:" + strings.ToUpper(base):    "URN:UUID:" + strings.ToUpper(canon),
		"00000000-0000-0000-0000-000000000000": "00000000-0000-0000-0000-000000000000",
		"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF": "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
	} {
		if got := remapRun(t, in, input); got != want {
			t.Errorf("%q -> %q, want %q", input, got, want)
		}
	}
	raw := uuid.MustParse(base)
	if got := remapRun(t, in, raw); got != uuid.MustParse(canon) {
		t.Errorf("uuid.UUID -> %v", got)
	}
	if got := remapRun(t, in, [16]byte(raw)); got != [16]byte(uuid.MustParse(canon)) {
		t.Errorf("[16]byte -> %v", got)
	}
	if got := remapRun(t, in, raw[:]).([]byte); [16]byte(got) != [16]byte(uuid.MustParse(canon)) {
		t.Errorf("[]byte -> %x", got)
	}
	if got := remapRun(t, in, []byte(base)); string(got.([]byte)) != canon {
		t.Errorf("text []byte -> %s", got)
	}
	for _, bad := range []any{"", "not-a-uuid", base[:35], base + "0", "6ba7b810x9dad-41d1-80b4-00c04fd430c8", "{" + base, 42, []byte{1, 2}} {
		_, err := in.Transform(bad, nil)
		var ve *ValueError
		if !errors.As(err, &ve) || ve.Column != "id" || ve.Transformer != "transform_uuid" {
			t.Errorf("%v: err = %v, want ValueError on column id", bad, err)
		}
	}
}

func TestUUIDRemapConsistentUniqueFK(t *testing.T) {
	t.Parallel()
	pk := remapBuild(t, "transform_uuid", nil, jobKey1)
	fk := remapBuild(t, "transform_uuid", nil, Options{Key: []byte("job key one"), Column: "owner_id"})
	other := remapBuild(t, "transform_uuid", nil, jobKey2)
	seen := map[string]bool{}
	for i := range 50000 {
		s := fmt.Sprintf("%08x-0000-7000-8000-%012x", i, i*7919)
		a := remapRun(t, pk, s).(string)
		if b := remapRun(t, fk, s); a != b {
			t.Fatalf("pk %s -> %s, fk -> %s", s, a, b)
		}
		if a == remapRun(t, other, s) {
			t.Fatalf("same image under another key for %s", s)
		}
		if seen[a] {
			t.Fatalf("collision on %s", a)
		}
		seen[a] = true
		if u := uuid.MustParse(a); u.Version() != 7 || u.Variant() != uuid.RFC4122 {
			t.Fatalf("%s: version or variant changed", a)
		}
	}
}

func TestCharacterScrambleBijective(t *testing.T) {
	t.Parallel()
	in := remapBuild(t, "transform_character_scramble", nil, jobKey1)
	check := func(inputs []string) {
		t.Helper()
		seen := map[string]string{}
		for _, s := range inputs {
			out := remapRun(t, in, s).(string)
			if scramblePattern(out) != scramblePattern(s) {
				t.Fatalf("%q -> %q changes the class pattern", s, out)
			}
			if prev, dup := seen[out]; dup {
				t.Fatalf("%q and %q both -> %q", prev, s, out)
			}
			seen[out] = s
		}
	}
	var digits3, mixed []string
	for i := range 1000 {
		digits3 = append(digits3, fmt.Sprintf("%03d", i))
	}
	for a := range 26 {
		for d := range 10 {
			for b := range 26 {
				mixed = append(mixed, fmt.Sprintf("%c%d-%c", 'A'+a, d, 'a'+b))
			}
		}
	}
	check(digits3)
	check(mixed)
	check([]string{"", "-", "é", "ab", "ba", "a b", "a-b", "a.b", "\x00a", "a\x00"})
}

// scramblePattern maps ASCII letters and digits to class markers.
func scramblePattern(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return 'a'
		case r >= 'A' && r <= 'Z':
			return 'A'
		case r >= '0' && r <= '9':
			return '9'
		}
		return r
	}, s)
}

func TestCharacterScrambleKeepsShape(t *testing.T) {
	t.Parallel()
	in := remapBuild(t, "transform_character_scramble", nil, jobKey1)
	long := strings.Repeat("Hello, World 42! ", 40) // 400+ scrambled characters: several blocks
	for _, s := range []string{"John.Smith@example.com", "Zoë Ångström 1990", "  ", long, "\xff\xfeab"} {
		out := remapRun(t, in, s).(string)
		if scramblePattern(out) != scramblePattern(s) || utf8.RuneCountInString(out) != utf8.RuneCountInString(s) || len(out) != len(s) {
			t.Fatalf("%q -> %q", s, out)
		}
		if strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyz") && out == s {
			t.Fatalf("%q unchanged", s)
		}
	}
	// Two blocks with equal content are scrambled independently.
	block := strings.Repeat("a", scrambleBlock)
	out := remapRun(t, in, block+block).(string)
	if out[:scrambleBlock] == out[scrambleBlock:] {
		t.Fatal("equal blocks scrambled identically")
	}
}

func TestCharacterScrambleRegex(t *testing.T) {
	t.Parallel()
	in := remapBuild(t, "transform_character_scramble", map[string]any{"user_provided_regex": `[0-9]+`}, jobKey1)
	out := remapRun(t, in, "order-1234-ABC-99").(string)
	if !strings.HasPrefix(out, "order-") || out[10:15] != "-ABC-" || out == "order-1234-ABC-99" {
		t.Fatalf("only digits should change: %q", out)
	}
	// Bijective on all 3-digit strings behind a fixed prefix.
	seen := map[string]bool{}
	for i := range 1000 {
		o := remapRun(t, in, fmt.Sprintf("id-%03d", i)).(string)
		if !strings.HasPrefix(o, "id-") || seen[o] {
			t.Fatalf("id-%03d -> %q", i, o)
		}
		seen[o] = true
	}
	none := remapBuild(t, "transform_character_scramble", map[string]any{"user_provided_regex": `xyz`}, jobKey1)
	if got := remapRun(t, none, "abc"); got != "abc" {
		t.Fatalf("no match changed the value: %q", got)
	}
	_, err := remapRegistry.Build("transform_character_scramble", map[string]any{"user_provided_regex": `([a-z`}, jobKey1)
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Param != "user_provided_regex" {
		t.Fatalf("invalid regex: %v", err)
	}
	if ValidateRegex(`([a-z`) == nil || ValidateRegex(`^[a-z]+\d{3}$`) != nil {
		t.Fatal("ValidateRegex")
	}
	if _, err := in.Transform(42, nil); err == nil {
		t.Fatal("int input accepted")
	}
}

func TestCharacterScrambleConsistentAndFK(t *testing.T) {
	t.Parallel()
	a := remapBuild(t, "transform_character_scramble", nil, jobKey1)
	b := remapBuild(t, "transform_character_scramble", nil, Options{Key: []byte("job key one"), Column: "ref"})
	c := remapBuild(t, "transform_character_scramble", nil, jobKey2)
	for _, s := range []string{"ABC-123", "customer_0042", "x"} {
		if remapRun(t, a, s) != remapRun(t, b, s) {
			t.Fatalf("%q differs across instances with one key", s)
		}
	}
	if remapRun(t, a, "ABC-123-xyz") == remapRun(t, c, "ABC-123-xyz") {
		t.Fatal("same output under another key")
	}
	// Random mode: reproducible with a seed; bijective either way.
	s1 := remapBuild(t, "transform_character_scramble", nil, Options{Seed: 11})
	s2 := remapBuild(t, "transform_character_scramble", nil, Options{Seed: 11})
	if remapRun(t, s1, "hello") != remapRun(t, s2, "hello") {
		t.Fatal("seeded random mode not reproducible")
	}
}

var fuzzRegexes = []string{"", `[0-9]+`, `[a-z]+`, `\w`, `^.{0,3}`, `x*`, `[^@]+@`, `(?i)ab|cd`}

func FuzzCharacterScramble(f *testing.F) {
	for i, s := range []string{"", "abc", "John.Doe@example.com", "héllo wörld 123", "\xff\x00A9", "日本語abc"} {
		f.Add(s, uint8(i))
	}
	ins := make([]*Instance, len(fuzzRegexes))
	for i, re := range fuzzRegexes {
		in, err := remapRegistry.Build("transform_character_scramble", map[string]any{"user_provided_regex": re}, jobKey1)
		if err != nil {
			f.Fatal(err)
		}
		ins[i] = in
	}
	f.Fuzz(func(t *testing.T, s string, which uint8) {
		in := ins[int(which)%len(ins)]
		v, err := in.Transform(s, nil)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		out := v.(string)
		if utf8.RuneCountInString(out) != utf8.RuneCountInString(s) || len(out) != len(s) {
			t.Fatalf("%q -> %q: length changed", s, out)
		}
		if scramblePattern(out) != scramblePattern(s) {
			t.Fatalf("%q -> %q: class pattern changed", s, out)
		}
		if again, _ := in.Transform(s, nil); again != out {
			t.Fatalf("%q: not deterministic", s)
		}
	})
}

func BenchmarkRemaps(b *testing.B) {
	for _, tc := range []struct {
		source string
		value  any
	}{
		{"transform_identity_scramble", int64(123456789)},
		{"transform_uuid", "6ba7b810-9dad-41d1-80b4-00c04fd430c8"},
		{"transform_character_scramble", "John.Smith@example.com"},
	} {
		b.Run(tc.source, func(b *testing.B) {
			in := remapBuild(b, tc.source, nil, jobKey1)
			for b.Loop() {
				_, _ = in.Transform(tc.value, nil)
			}
		})
	}
}
