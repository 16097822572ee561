package transformers

import (
	"fmt"
	"math"
)

// LeakClass says how often a transformer's output may equal a source value
// by chance, which is what a sync's verification report judges a column's
// leak scan against.
type LeakClass string

const (
	// LeakNone: no output should equal a source value — transforms and
	// generators of identifiers, emails, phone numbers, card numbers,
	// SSNs, hashes, UUIDs and free text, whose output space is so large
	// that a chance match is negligible. Any row that keeps its own value
	// is a leak; any output found among the source values is suspect.
	LeakNone LeakClass = "none"
	// LeakSmallDomain: the output is drawn from a small set (first and
	// last names, cities, states, ZIP codes, genders, categories,
	// booleans). Of a column whose source holds S distinct values, about
	// min(S, N)/N of the outputs equal a source value by chance, and 1/N
	// of the rows keep their own value, N being the domain size.
	LeakSmallDomain LeakClass = "small_domain"
	// LeakSameDomain: the output lies in the input's own domain (bijective
	// key remaps, numeric noise, character scrambles): a remap of the keys
	// 1..n is the keys 1..n, so outputs equal to some source value are
	// expected and not judged; a row keeping its own value is expected
	// for 1 row in N (N the domain size when known, else never).
	LeakSameDomain LeakClass = "same_domain"
	// LeakUnknown: nothing can be expected (JavaScript, the column
	// default, passthrough); the column is judged against the job's
	// thresholds alone.
	LeakUnknown LeakClass = "unknown"
)

// LeakProfile is a transformer's expected leak level.
type LeakProfile struct {
	Class LeakClass
	// Domain returns the number of values the output is drawn from for
	// validated parameters (LeakSmallDomain, LeakSameDomain); nil or 0
	// when it is unbounded or unknown.
	Domain func(p Params) float64
}

// LeakExpectation is a transformer's expected leak level for one
// configuration.
type LeakExpectation struct {
	Class LeakClass `json:"class"`
	// Domain is the number of values the output is drawn from, 0 when
	// unbounded or unknown.
	Domain float64 `json:"domain,omitempty"`
}

// fixedDomain is a Domain of n values whatever the parameters.
func fixedDomain(n int) func(Params) float64 { return func(Params) float64 { return float64(n) } }

// rangeDomain is the Domain of an integer range [p[lo], p[hi]].
func rangeDomain(lo, hi string) func(Params) float64 {
	return func(p Params) float64 {
		if !p.Has(lo) || !p.Has(hi) {
			return 0
		}
		return paramNumber(p, hi) - paramNumber(p, lo) + 1
	}
}

// paramNumber returns an int or float parameter as a float64.
func paramNumber(p Params, name string) float64 {
	if v, ok := p[name].(int64); ok {
		return float64(v)
	}
	return p.Float(name)
}

// leakProfiles declares every system transformer's leak level; NewRegistry
// refuses a transformer missing from it.
var leakProfiles = map[string]LeakProfile{
	// Identifiers, contact details and free text: no chance match.
	"generate_business_name":        {Class: LeakNone},
	"generate_card_number":          {Class: LeakNone},
	"generate_e164_phone_number":    {Class: LeakNone},
	"generate_email":                {Class: LeakNone},
	"generate_full_address":         {Class: LeakNone},
	"generate_int64_phone_number":   {Class: LeakNone},
	"generate_ip_address":           {Class: LeakNone},
	"generate_random_string":        {Class: LeakNone},
	"generate_sha256hash":           {Class: LeakNone},
	"generate_ssn":                  {Class: LeakNone},
	"generate_street_address":       {Class: LeakNone},
	"generate_string_phone_number":  {Class: LeakNone},
	"generate_unix_timestamp":       {Class: LeakNone},
	"generate_username":             {Class: LeakNone},
	"generate_utc_timestamp":        {Class: LeakNone},
	"generate_uuid":                 {Class: LeakNone},
	"generate_null":                 {Class: LeakNone},
	"transform_e164_phone_number":   {Class: LeakNone},
	"transform_email":               {Class: LeakNone},
	"transform_hash":                {Class: LeakNone},
	"transform_int64_phone_number":  {Class: LeakNone},
	"transform_string":              {Class: LeakNone},
	"transform_string_phone_number": {Class: LeakNone},
	"transform_uuid":                {Class: LeakNone},
	// Small domains: chance matches expected from the domain's size.
	"generate_bool":        {Class: LeakSmallDomain, Domain: fixedDomain(2)},
	"generate_categorical": {Class: LeakSmallDomain, Domain: func(p Params) float64 { return float64(len(p.Strings("categories"))) }},
	"generate_city":        {Class: LeakSmallDomain, Domain: func(Params) float64 { return float64(len(cityNames.items)) }},
	"generate_country":     {Class: LeakSmallDomain, Domain: fixedDomain(len(countryNames))},
	"generate_first_name":  {Class: LeakSmallDomain, Domain: func(Params) float64 { return float64(len(firstNames.items)) }},
	"generate_last_name":   {Class: LeakSmallDomain, Domain: func(Params) float64 { return float64(len(lastNames.items)) }},
	"generate_full_name":   {Class: LeakSmallDomain, Domain: func(Params) float64 { return float64(len(firstNames.items) * len(lastNames.items)) }},
	"generate_gender":      {Class: LeakSmallDomain, Domain: fixedDomain(len(genders))},
	"generate_state":       {Class: LeakSmallDomain, Domain: fixedDomain(len(stateNames))},
	"generate_zipcode":     {Class: LeakSmallDomain, Domain: fixedDomain(99950 - 501 + 1)},
	"generate_int64":       {Class: LeakSmallDomain, Domain: rangeDomain("min", "max")},
	"generate_float64": {Class: LeakSmallDomain, Domain: func(p Params) float64 {
		return (p.Float("max")-p.Float("min"))*math.Pow(10, float64(p.Int("precision"))) + 1
	}},
	"transform_first_name": {Class: LeakSmallDomain, Domain: func(Params) float64 { return float64(len(firstNames.items)) }},
	"transform_last_name":  {Class: LeakSmallDomain, Domain: func(Params) float64 { return float64(len(lastNames.items)) }},
	"transform_full_name":  {Class: LeakSmallDomain, Domain: func(Params) float64 { return float64(len(firstNames.items) * len(lastNames.items)) }},
	// The input's own domain: only rows keeping their own value count.
	"transform_identity_scramble":  {Class: LeakSameDomain, Domain: rangeDomain("min", "max")},
	"transform_int64":              {Class: LeakSameDomain, Domain: rangeDomain("randomization_range_min", "randomization_range_max")},
	"transform_float64":            {Class: LeakSameDomain},
	"transform_character_scramble": {Class: LeakSameDomain},
	// Nothing to expect.
	"generate_javascript":  {Class: LeakUnknown},
	"transform_javascript": {Class: LeakUnknown},
	"generate_default":     {Class: LeakUnknown},
	"passthrough":          {Class: LeakUnknown},
}

// setLeakProfile gives d its declared leak level.
func setLeakProfile(d *Definition) {
	lp, ok := leakProfiles[d.Source]
	if !ok {
		panic(fmt.Sprintf("transformers: %q declares no leak level (leakProfiles)", d.Source))
	}
	d.Leak = lp
}

// LeakExpectation returns the expected leak level of source configured
// with raw (unknown sources and invalid parameters are errors, as for
// Build).
func (r *Registry) LeakExpectation(source string, raw map[string]any) (LeakExpectation, error) {
	d, err := r.Lookup(source)
	if err != nil {
		return LeakExpectation{}, err
	}
	p, err := validateParams(d, raw)
	if err != nil {
		return LeakExpectation{}, err
	}
	e := LeakExpectation{Class: d.Leak.Class}
	if d.Leak.Domain != nil {
		if n := d.Leak.Domain(p); n > 0 && !math.IsInf(n, 0) {
			e.Domain = n
		}
	}
	return e, nil
}
