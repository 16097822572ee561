package transformers

import (
	"regexp"
	"strings"
	"testing"
)

var snakeRE = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

func TestDefinitionsComplete(t *testing.T) {
	t.Parallel()
	for _, d := range testRegistry.List() {
		if d.Name == "" || d.Description == "" || d.Output == "" || len(d.JobTypes) == 0 {
			t.Errorf("%s: missing name, description, output or job types", d.Source)
		}
		if d.Generator && len(d.InputTypes) > 0 {
			t.Errorf("%s: a generator declares input types", d.Source)
		}
		for _, p := range d.Params {
			if !snakeRE.MatchString(p.Name) {
				t.Errorf("%s: parameter %q is not lower_snake_case", d.Source, p.Name)
			}
		}
	}
}

func TestCatalogueShape(t *testing.T) {
	t.Parallel()
	for _, d := range generatorDefinitions() {
		if !strings.HasPrefix(d.Source, "generate_") || !d.Generator || d.Consistent || len(d.JobTypes) != 2 {
			t.Errorf("%s: generators are generate_*, Generator, not Consistent, for sync and generate", d.Source)
		}
	}
	for _, d := range transformDefinitions() {
		if !strings.HasPrefix(d.Source, "transform_") || d.Generator || !d.Consistent || len(d.InputTypes) == 0 ||
			len(d.JobTypes) != 1 || d.JobTypes[0] != JobSync {
			t.Errorf("%s: transforms are transform_*, Consistent, with inputs, for sync", d.Source)
		}
	}
	for _, d := range append(generatorDefinitions(), transformDefinitions()...) {
		for _, p := range d.Params {
			if p.Description == "" {
				t.Errorf("%s: parameter %s has no description", d.Source, p.Name)
			}
		}
	}
	// Every parameter default must pass validation: build with none given.
	for _, d := range append(generatorDefinitions(), transformDefinitions()...) {
		if d.Source == "generate_categorical" {
			continue // categories is required
		}
		if _, err := testRegistry.Build(d.Source, nil, Options{Seed: 1}); err != nil {
			t.Errorf("%s with defaults: %v", d.Source, err)
		}
	}
}

func TestParamValidation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		source string
		params map[string]any
		param  string
	}{
		{"generate_int64", map[string]any{"min": 5, "max": 4}, "min"},
		{"generate_float64", map[string]any{"min": 5.5, "max": 4.5}, "min"},
		{"generate_float64", map[string]any{"precision": 16}, "precision"},
		{"generate_float64", map[string]any{"min": 0.011, "max": 0.019, "precision": 2}, "precision"},
		{"generate_random_string", map[string]any{"min": 8, "max": 7}, "min"},
		{"generate_random_string", map[string]any{"min": -1}, "min"},
		{"generate_e164_phone_number", map[string]any{"min": 12, "max": 10}, "min"},
		{"generate_e164_phone_number", map[string]any{"max": 16}, "max"},
		{"generate_e164_phone_number", map[string]any{"min": 0}, "min"},
		{"generate_string_phone_number", map[string]any{"min": 12, "max": 10}, "min"},
		{"generate_email", map[string]any{"email_type": "random"}, "email_type"},
		{"generate_categorical", nil, "categories"},
		{"generate_categorical", map[string]any{"categories": []any{}}, "categories"},
		{"generate_ip_address", map[string]any{"ip_type": "ipv5"}, "ip_type"},
		{"generate_uuid", map[string]any{"include_hyphens": "yes"}, "include_hyphens"},
		{"transform_email", map[string]any{"invalid_email_action": "drop"}, "invalid_email_action"},
		{"transform_email", map[string]any{"excluded_domains": "a.com"}, "excluded_domains"},
		{"transform_int64", map[string]any{"randomization_range_min": 3, "randomization_range_max": 2}, "randomization_range_min"},
		{"transform_float64", map[string]any{"randomization_range_min": 0.5, "randomization_range_max": 0.25}, "randomization_range_min"},
		{"transform_string", map[string]any{"min": 3, "max": 2}, "min"},
		{"transform_string_phone_number", map[string]any{"min": 3, "max": 2}, "min"},
		{"transform_hash", map[string]any{"algorithm": "sha1"}, "algorithm"},
		{"transform_first_name", map[string]any{"preserve_lenght": true}, "preserve_lenght"},
	} {
		_, err := testRegistry.Build(tc.source, tc.params, Options{})
		wantParamError(t, err, tc.param)
	}
}

func TestDataAlignment(t *testing.T) {
	t.Parallel()
	if len(stateCodes) != 50 || len(stateNames) != 50 || len(countryCodes) != len(countryNames) {
		t.Fatalf("%d/%d states, %d/%d countries", len(stateCodes), len(stateNames), len(countryCodes), len(countryNames))
	}
	pairs := map[string]string{"AL": "Alabama", "CA": "California", "NY": "New York", "WY": "Wyoming"}
	for i, c := range stateCodes {
		if n, ok := pairs[c]; ok && stateNames[i] != n {
			t.Errorf("state %s is %s", c, stateNames[i])
		}
	}
	pairs = map[string]string{"AD": "Andorra", "DE": "Germany", "JP": "Japan", "US": "United States of America", "ZW": "Zimbabwe", "CH": "Switzerland"}
	for i, c := range countryCodes {
		if n, ok := pairs[c]; ok && countryNames[i] != n {
			t.Errorf("country %s is %s", c, countryNames[i])
		}
	}
}

// TestLeakExpectations checks that every transformer declares a leak
// level and that the small domains are the sizes the report derives its
// expectations from.
func TestLeakExpectations(t *testing.T) {
	t.Parallel()
	reg := NewRegistry()
	for _, d := range reg.List() {
		if d.Leak.Class == "" {
			t.Errorf("%s declares no leak class", d.Source)
		}
	}
	for _, tc := range []struct {
		source string
		params map[string]any
		want   LeakExpectation
	}{
		{"transform_email", nil, LeakExpectation{Class: LeakNone}},
		{"transform_last_name", nil, LeakExpectation{Class: LeakSmallDomain, Domain: 498}},
		{"generate_zipcode", nil, LeakExpectation{Class: LeakSmallDomain, Domain: 99450}},
		{"generate_categorical", map[string]any{"categories": []any{"a", "b", "c"}}, LeakExpectation{Class: LeakSmallDomain, Domain: 3}},
		{"generate_int64", map[string]any{"min": 1, "max": 5}, LeakExpectation{Class: LeakSmallDomain, Domain: 5}},
		{"transform_identity_scramble", map[string]any{"min": 1, "max": 1000}, LeakExpectation{Class: LeakSameDomain, Domain: 1000}},
		{"transform_identity_scramble", nil, LeakExpectation{Class: LeakSameDomain}},
		{"transform_javascript", map[string]any{"code": "return input;"}, LeakExpectation{Class: LeakUnknown}},
	} {
		got, err := reg.LeakExpectation(tc.source, tc.params)
		if err != nil || got != tc.want {
			t.Errorf("LeakExpectation(%s, %v) = %+v, %v; want %+v", tc.source, tc.params, got, err, tc.want)
		}
	}
}
