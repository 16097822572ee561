package transformers

import (
	"math"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// genCase runs a generator many times and checks every output.
type genCase struct {
	name   string
	source string
	params map[string]any
	maxLen int
	check  func(t *testing.T, v any)
}

var (
	ssnRE     = regexp.MustCompile(`^(\d{3})-(\d{2})-(\d{4})$`)
	zipRE     = regexp.MustCompile(`^\d{5}$`)
	streetRE  = regexp.MustCompile(`^[1-9]\d{0,4} (?:[A-Z][a-z]+ )?[A-Z][A-Za-z' -]+ [A-Z][a-z]+$`)
	addressRE = regexp.MustCompile(`^[1-9]\d{0,4} .+, .+, [A-Z]{2} \d{5}$`)
	hexRE     = regexp.MustCompile(`^[0-9a-f]{64}$`)
	alnumRE   = regexp.MustCompile(`^[A-Za-z0-9]*$`)
	userRE    = regexp.MustCompile(`^[a-z][a-z0-9._'-]*$`)
)

func e164RE(lo, hi int) *regexp.Regexp {
	return regexp.MustCompile(`^\+[1-9]\d{` + strconv.Itoa(lo-1) + `,` + strconv.Itoa(hi-1) + `}$`)
}

func wantIn(list []string) func(*testing.T, any) {
	return func(t *testing.T, v any) {
		if s := asString(t, v); !slices.Contains(list, s) {
			t.Fatalf("%q is not in the list", s)
		}
	}
}

func wantMatch(re *regexp.Regexp) func(*testing.T, any) {
	return func(t *testing.T, v any) {
		if s := asString(t, v); !re.MatchString(s) {
			t.Fatalf("%q does not match %s", s, re)
		}
	}
}

func wantIntIn(lo, hi int64) func(*testing.T, any) {
	return func(t *testing.T, v any) {
		if i := asInt64(t, v); i < lo || i > hi {
			t.Fatalf("%d not in [%d, %d]", i, lo, hi)
		}
	}
}

func wantFullName(t *testing.T, v any) {
	first, last, ok := strings.Cut(asString(t, v), " ")
	if !ok || !slices.Contains(firstNames.items, first) || !slices.Contains(lastNames.items, last) {
		t.Fatalf("%q is not First Last", v)
	}
}

func wantEmail(t *testing.T, v any) { checkEmail(t, asString(t, v)) }

func wantFloat(lo, hi float64, precision int, signed bool) func(*testing.T, any) {
	return func(t *testing.T, v any) {
		f := asFloat64(t, v)
		a := f
		if signed {
			a = math.Abs(f)
		}
		if a < lo || a > hi {
			t.Fatalf("%v not in [%v, %v]", f, lo, hi)
		}
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if _, frac, ok := strings.Cut(s, "."); ok && len(frac) > precision {
			t.Fatalf("%s has more than %d decimals", s, precision)
		}
	}
}

func wantSSN(t *testing.T, v any) {
	m := ssnRE.FindStringSubmatch(asString(t, v))
	if m == nil {
		t.Fatalf("%q is not AAA-GG-SSSS", v)
	}
	if m[1] == "000" || m[1] == "666" || m[1][0] == '9' || m[2] == "00" || m[3] == "0000" {
		t.Fatalf("%q breaks the SSA rules", v)
	}
}

func wantCard(luhn bool) func(*testing.T, any) {
	return func(t *testing.T, v any) {
		s := strconv.FormatInt(asInt64(t, v), 10)
		if len(s) != 16 {
			t.Fatalf("%s has %d digits", s, len(s))
		}
		if luhn && !luhnValid(s) {
			t.Fatalf("%s fails the Luhn check", s)
		}
	}
}

func wantUUID(hyphens bool) func(*testing.T, any) {
	return func(t *testing.T, v any) {
		s := asString(t, v)
		u, err := uuid.Parse(s)
		if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 {
			t.Fatalf("%q: %v, version %v, variant %v", s, err, u.Version(), u.Variant())
		}
		if want := 32 + 4*b2i(hyphens); len(s) != want || s != strings.ToLower(s) {
			t.Fatalf("%q: want %d lower-case characters", s, want)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func wantIP(class func(netip.Addr) bool) func(*testing.T, any) {
	return func(t *testing.T, v any) {
		a, err := netip.ParseAddr(asString(t, v))
		if err != nil || !class(a) || a.String() != v {
			t.Fatalf("%v: %v, or not of the class", v, err)
		}
	}
}

func publicIPv4(a netip.Addr) bool {
	return a.Is4() && a.IsGlobalUnicast() && !a.IsPrivate() && !a.IsLoopback() && !a.IsMulticast() &&
		!a.IsLinkLocalUnicast() && !a.IsUnspecified() && isPublicIPv4(a)
}

func inPrefix(p string) func(netip.Addr) bool {
	pre := netip.MustParsePrefix(p)
	return func(a netip.Addr) bool { return pre.Contains(a) }
}

func TestGenerators(t *testing.T) {
	t.Parallel()
	start, end := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []genCase{
		{"bool", "generate_bool", nil, 0, func(t *testing.T, v any) {
			if _, ok := v.(bool); !ok {
				t.Fatalf("%T", v)
			}
		}},
		{"business", "generate_business_name", nil, 0, wantMatch(regexp.MustCompile(`^[A-Z][A-Za-z' ,-]+$`))},
		{"business short", "generate_business_name", nil, 8, wantMatch(regexp.MustCompile(`^[A-Z][A-Za-z' ,-]{1,7}$`))},
		{"card luhn", "generate_card_number", nil, 0, wantCard(true)},
		{"card any", "generate_card_number", map[string]any{"valid_luhn": false}, 0, wantCard(false)},
		{"categorical", "generate_categorical", map[string]any{"categories": []any{"red", "green", "blue"}}, 0, wantIn([]string{"red", "green", "blue"})},
		{"categorical fit", "generate_categorical", map[string]any{"categories": []any{"red", "green", "blue"}}, 4, wantIn([]string{"red", "blue"})},
		{"city", "generate_city", nil, 0, wantIn(cityNames.items)},
		{"city short", "generate_city", nil, 6, wantIn(cityNames.items[:cityNames.upTo[6]])},
		{"country code", "generate_country", nil, 0, wantIn(countryCodes)},
		{"country name", "generate_country", map[string]any{"generate_full_name": true}, 0, wantIn(countryNames)},
		{"country name short", "generate_country", map[string]any{"generate_full_name": true}, 10, func(t *testing.T, v any) {
			s := asString(t, v)
			if !slices.Contains(countryNames, s) && !slices.Contains(countryCodes, s) || utf8.RuneCountInString(s) > 10 {
				t.Fatalf("%q", s)
			}
		}},
		{"e164", "generate_e164_phone_number", nil, 0, wantMatch(e164RE(9, 15))},
		{"e164 range", "generate_e164_phone_number", map[string]any{"min": 11, "max": 11}, 0, wantMatch(e164RE(11, 11))},
		{"e164 short", "generate_e164_phone_number", nil, 8, wantMatch(e164RE(7, 7))},
		{"email", "generate_email", nil, 0, wantEmail},
		{"email uuid", "generate_email", map[string]any{"email_type": "uuid_v4"}, 0, func(t *testing.T, v any) {
			wantEmail(t, v)
			if local, _, _ := strings.Cut(v.(string), "@"); len(local) != 32 {
				t.Fatalf("%q: local part is not a UUID", v)
			}
		}},
		{"email 6", "generate_email", nil, 6, wantEmail},
		{"email 12", "generate_email", nil, 12, wantEmail},
		{"email 20", "generate_email", nil, 20, wantEmail},
		{"email uuid 20", "generate_email", map[string]any{"email_type": "uuid_v4"}, 20, wantEmail},
		{"first name", "generate_first_name", nil, 0, wantIn(firstNames.items)},
		{"first name short", "generate_first_name", nil, 4, wantIn(firstNames.items[:firstNames.upTo[4]])},
		{"float default", "generate_float64", nil, 0, wantFloat(1, 10000, 6, false)},
		{"float precision 0", "generate_float64", map[string]any{"min": -5.5, "max": 5.5, "precision": 0}, 0, wantFloat(-5, 5, 0, false)},
		{"float precision 2", "generate_float64", map[string]any{"min": 0.011, "max": 0.039, "precision": 2}, 0, wantFloat(0.011, 0.039, 2, false)},
		{"float signed", "generate_float64", map[string]any{"min": 2, "max": 3, "precision": 3, "randomize_sign": true}, 0, wantFloat(2, 3, 3, true)},
		{"float huge", "generate_float64", map[string]any{"min": -1e300, "max": 1e300, "precision": 15}, 0, wantFloat(-1e300, 1e300, 15, false)},
		{"full address", "generate_full_address", nil, 0, wantMatch(addressRE)},
		{"full address 40", "generate_full_address", nil, 40, wantMatch(addressRE)},
		{"full name", "generate_full_name", nil, 0, wantFullName},
		{"full name 8", "generate_full_name", nil, 8, wantFullName},
		{"full name 5", "generate_full_name", nil, 5, wantFullName},
		{"full name 3", "generate_full_name", nil, 3, wantIn(firstNames.items[:firstNames.upTo[3]])},
		{"gender", "generate_gender", nil, 0, wantIn(genders[:])},
		{"gender abbreviated", "generate_gender", map[string]any{"abbreviate": true}, 0, wantIn(genderAbbrevs[:])},
		{"gender short", "generate_gender", nil, 4, wantIn([]string{"male", "M", "F", "N", "U"})},
		{"int64 default", "generate_int64", nil, 0, wantIntIn(1, 40)},
		{"int64 range", "generate_int64", map[string]any{"min": -3, "max": 3}, 0, wantIntIn(-3, 3)},
		{"int64 full range", "generate_int64", map[string]any{"min": int64(math.MinInt64), "max": int64(math.MaxInt64)}, 0, wantIntIn(math.MinInt64, math.MaxInt64)},
		{"int64 signed", "generate_int64", map[string]any{"min": 5, "max": 9, "randomize_sign": true}, 0, func(t *testing.T, v any) {
			if i := asInt64(t, v); (i < 5 || i > 9) && (i < -9 || i > -5) {
				t.Fatal(i)
			}
		}},
		{"int64 phone", "generate_int64_phone_number", nil, 0, wantIntIn(2_000_000_000, 9_999_999_999)},
		{"ip public", "generate_ip_address", nil, 0, wantIP(publicIPv4)},
		{"ip private a", "generate_ip_address", map[string]any{"ip_type": "ipv4_private_a"}, 0, wantIP(func(a netip.Addr) bool { return a.IsPrivate() && inPrefix("10.0.0.0/8")(a) })},
		{"ip private b", "generate_ip_address", map[string]any{"ip_type": "ipv4_private_b"}, 0, wantIP(func(a netip.Addr) bool { return a.IsPrivate() && inPrefix("172.16.0.0/12")(a) })},
		{"ip private c", "generate_ip_address", map[string]any{"ip_type": "ipv4_private_c"}, 0, wantIP(func(a netip.Addr) bool { return a.IsPrivate() && inPrefix("192.168.0.0/16")(a) })},
		{"ip link local", "generate_ip_address", map[string]any{"ip_type": "ipv4_link_local"}, 0, wantIP(func(a netip.Addr) bool {
			return a.Is4() && a.IsLinkLocalUnicast() && !inPrefix("169.254.0.0/24")(a) && !inPrefix("169.254.255.0/24")(a)
		})},
		{"ip multicast", "generate_ip_address", map[string]any{"ip_type": "ipv4_multicast"}, 0, wantIP(func(a netip.Addr) bool { return a.Is4() && a.IsMulticast() })},
		{"ip loopback", "generate_ip_address", map[string]any{"ip_type": "ipv4_loopback"}, 0, wantIP(func(a netip.Addr) bool { return a.Is4() && a.IsLoopback() })},
		{"ip v6", "generate_ip_address", map[string]any{"ip_type": "ipv6"}, 0, wantIP(func(a netip.Addr) bool {
			return a.Is6() && !a.Is4In6() && a.IsGlobalUnicast() && !a.IsPrivate() && inPrefix("2000::/3")(a) &&
				!inPrefix("2001::/16")(a) && !inPrefix("2002::/16")(a) && !inPrefix("3fff::/16")(a)
		})},
		{"last name", "generate_last_name", nil, 0, wantIn(lastNames.items)},
		{"last name short", "generate_last_name", nil, 3, wantIn(lastNames.items[:lastNames.upTo[3]])},
		{"random string", "generate_random_string", nil, 0, func(t *testing.T, v any) {
			if s := asString(t, v); len(s) < 2 || len(s) > 7 || !alnumRE.MatchString(s) {
				t.Fatalf("%q", s)
			}
		}},
		{"random string fit", "generate_random_string", map[string]any{"min": 10, "max": 20}, 5, wantMatch(regexp.MustCompile(`^[A-Za-z0-9]{5}$`))},
		{"sha256", "generate_sha256hash", nil, 0, wantMatch(hexRE)},
		{"ssn", "generate_ssn", nil, 0, wantSSN},
		{"state code", "generate_state", nil, 0, wantIn(stateCodes)},
		{"state name", "generate_state", map[string]any{"generate_full_name": true}, 0, wantIn(stateNames)},
		{"state name short", "generate_state", map[string]any{"generate_full_name": true}, 5, func(t *testing.T, v any) {
			if s := asString(t, v); !slices.Contains(stateCodes, s) && (!slices.Contains(stateNames, s) || len(s) > 5) {
				t.Fatalf("%q", s)
			}
		}},
		{"street", "generate_street_address", nil, 0, wantMatch(streetRE)},
		{"street 14", "generate_street_address", nil, 14, wantMatch(streetRE)},
		{"string phone", "generate_string_phone_number", nil, 0, wantMatch(regexp.MustCompile(`^[1-9]\d{8,14}$`))},
		{"string phone range", "generate_string_phone_number", map[string]any{"min": 4, "max": 6}, 0, wantMatch(regexp.MustCompile(`^[1-9]\d{3,5}$`))},
		{"string phone short", "generate_string_phone_number", nil, 7, wantMatch(regexp.MustCompile(`^[1-9]\d{6}$`))},
		{"unix timestamp", "generate_unix_timestamp", nil, 0, wantIntIn(start.Unix(), end.Unix()-1)},
		{"username", "generate_username", nil, 0, wantMatch(userRE)},
		{"username short", "generate_username", nil, 6, wantMatch(userRE)},
		{"utc timestamp", "generate_utc_timestamp", nil, 0, func(t *testing.T, v any) {
			ts, ok := v.(time.Time)
			if !ok || ts.Location() != time.UTC || ts.Before(start) || !ts.Before(end) || ts.Nanosecond()%1000 != 0 {
				t.Fatalf("%v (%T)", v, v)
			}
		}},
		{"uuid", "generate_uuid", nil, 0, wantUUID(true)},
		{"uuid no hyphens", "generate_uuid", map[string]any{"include_hyphens": false}, 0, wantUUID(false)},
		{"zipcode", "generate_zipcode", nil, 0, wantMatch(zipRE)},
	}
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.source] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := mustBuild(t, tc.source, tc.params, Options{Seed: 42, MaxLength: tc.maxLen, Column: "c"})
			seen := map[any]bool{}
			for range 400 {
				v := mustRun(t, in, "ignored input")
				if s, ok := v.(string); ok && tc.maxLen > 0 && utf8.RuneCountInString(s) > tc.maxLen {
					t.Fatalf("%q is longer than %d", s, tc.maxLen)
				}
				tc.check(t, v)
				seen[v] = true
			}
			if len(seen) < 2 {
				t.Fatalf("400 draws gave only %v", seen)
			}
		})
	}
	for _, d := range generatorDefinitions() {
		if !covered[d.Source] {
			t.Errorf("%s has no test case", d.Source)
		}
	}
}

func TestGeneratorsNotTruncated(t *testing.T) {
	t.Parallel()
	// Outputs that must keep their format are built to fit, never cut by
	// the Instance's safety net: call the implementations directly.
	for _, tc := range []struct {
		source string
		maxLen int
		check  func(*testing.T, any)
	}{
		{"generate_email", 6, wantEmail},
		{"generate_email", 9, wantEmail},
		{"generate_email", 15, wantEmail},
		{"generate_e164_phone_number", 5, wantMatch(e164RE(4, 4))},
		{"generate_full_name", 7, wantFullName},
		{"generate_first_name", 3, wantIn(firstNames.items)},
	} {
		d, _ := testRegistry.Lookup(tc.source)
		p, _ := validateParams(d, nil)
		fn, err := d.Build(p, Options{MaxLength: tc.maxLen})
		if err != nil {
			t.Fatal(err)
		}
		c := &Call{Rand: newTestRand(3), MaxLength: tc.maxLen}
		for range 300 {
			v, err := fn(c)
			if err != nil {
				t.Fatal(err)
			}
			if s := v.(string); utf8.RuneCountInString(s) > tc.maxLen {
				t.Fatalf("%s: %q longer than %d", tc.source, s, tc.maxLen)
			}
			tc.check(t, v)
		}
	}
}

func TestGeneratorColumnTooShort(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		source string
		params map[string]any
		maxLen int
	}{
		{"generate_email", nil, 5},
		{"generate_e164_phone_number", nil, 1},
		{"generate_ip_address", map[string]any{"ip_type": "ipv6"}, 10},
	} {
		in := mustBuild(t, tc.source, tc.params, Options{Seed: 1, MaxLength: tc.maxLen, Column: "col"})
		_, err := in.Transform(nil, nil)
		wantValueError(t, err, tc.source, "col")
	}
}

func TestGeneratorSeedReproducible(t *testing.T) {
	t.Parallel()
	for _, d := range generatorDefinitions() {
		params := map[string]any{}
		if d.Source == "generate_categorical" {
			params["categories"] = []any{"a", "b", "c"}
		}
		a := mustBuild(t, d.Source, params, Options{Seed: 9})
		b := mustBuild(t, d.Source, params, Options{Seed: 9})
		for range 5 {
			x, y := mustRun(t, a, nil), mustRun(t, b, nil)
			if x != y {
				t.Fatalf("%s: seed 9 gave %v and %v", d.Source, x, y)
			}
		}
	}
}
