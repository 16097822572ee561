package leakscan

import (
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

func TestJudgeColumn(t *testing.T) {
	t.Parallel()
	none := transformers.LeakExpectation{Class: transformers.LeakNone}
	lastName := transformers.LeakExpectation{Class: transformers.LeakSmallDomain, Domain: 498}
	zip := transformers.LeakExpectation{Class: transformers.LeakSmallDomain, Domain: 99450}
	remap := transformers.LeakExpectation{Class: transformers.LeakSameDomain, Domain: 1_000_000}
	js := transformers.LeakExpectation{Class: transformers.LeakUnknown}
	for name, tc := range map[string]struct {
		e      transformers.LeakExpectation
		o      Observation
		policy Policy
		want   Status
		reason string
	}{
		"email, nothing equal":         {none, Observation{Sampled: 10000, HasSelf: true, Rows: 10000}, Policy{}, StatusOK, "as expected"},
		"email, one row kept":          {none, Observation{Sampled: 10000, Equal: 1, HasSelf: true, Rows: 10000, SelfEqual: 1}, Policy{}, StatusFail, "should never do"},
		"email, 0.5% equal other rows": {none, Observation{Sampled: 10000, Equal: 50, HasSelf: true, Rows: 10000}, Policy{}, StatusWarn, "beyond the 0% expected"},
		"email, 6% equal other rows":   {none, Observation{Sampled: 10000, Equal: 600, HasSelf: true, Rows: 10000}, Policy{}, StatusFail, "beyond the 0% expected"},
		// The demo: 30 distinct source last names, consistent mode maps
		// them to about 30 outputs, 10% of rows hold a source value.
		"last name, as expected but above warn rate": {lastName, Observation{Sampled: 10000, Equal: 1001, HasSelf: true, Rows: 10000, SourceDistinct: 30, OutputDistinct: 30, Grouped: true}, Policy{}, StatusWarn, "as expected by chance (6.0%) for 498 output values against 30 distinct source values, but above the warn rate 1.0%"},
		"last name, under a lenient warn rate":       {lastName, Observation{Sampled: 10000, Equal: 1001, HasSelf: true, Rows: 10000, SourceDistinct: 30, OutputDistinct: 30, Grouped: true}, Policy{WarnRate: 0.2}, StatusOK, "as expected"},
		"last name, planted copies":                  {lastName, Observation{Sampled: 10000, Equal: 4000, HasSelf: true, Rows: 10000, SelfEqual: 3500, SourceDistinct: 400, OutputDistinct: 450, Grouped: true}, Policy{WarnRate: 0.5}, StatusFail, "kept their own source value, beyond"},
		"zipcode, as expected":                       {zip, Observation{Sampled: 10000, Equal: 1198, HasSelf: true, Rows: 10000, SelfEqual: 0, SourceDistinct: 12000, OutputDistinct: 9400}, Policy{}, StatusWarn, "as expected by chance (12.1%)"},
		"boolean, outputs are source values":         {transformers.LeakExpectation{Class: transformers.LeakSmallDomain, Domain: 2}, Observation{Sampled: 1000, Equal: 1000, HasSelf: true, Rows: 1000, SelfEqual: 490, SourceDistinct: 2, OutputDistinct: 2}, Policy{}, StatusOK, "the source holds most of the domain"},
		"boolean, copied":                            {transformers.LeakExpectation{Class: transformers.LeakSmallDomain, Domain: 2}, Observation{Sampled: 1000, Equal: 1000, HasSelf: true, Rows: 1000, SelfEqual: 1000, SourceDistinct: 2, OutputDistinct: 2}, Policy{}, StatusFail, "kept their own source value, beyond"},
		"remap, outputs are source keys":             {remap, Observation{Sampled: 10000, Equal: 10000, HasSelf: true, Rows: 10000, SourceDistinct: 10000, OutputDistinct: 10000}, Policy{}, StatusOK, "as expected"},
		"remap, keys kept":                           {remap, Observation{Sampled: 10000, Equal: 10000, HasSelf: true, Rows: 10000, SelfEqual: 9000, SourceDistinct: 10000, OutputDistinct: 10000}, Policy{}, StatusFail, "kept their own"},
		"javascript, a few equal":                    {js, Observation{Sampled: 1000, Equal: 20}, Policy{}, StatusWarn, "above the warn rate"},
		"javascript, copies input":                   {js, Observation{Sampled: 1000, Equal: 1000, HasSelf: true, Rows: 1000, SelfEqual: 1000}, Policy{}, StatusFail, "nothing is expected"},
		"resampled small domain, no source count":    {lastName, Observation{Sampled: 1000, Equal: 5}, Policy{}, StatusOK, "as expected"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			j := tc.policy.JudgeColumn(tc.e, tc.o)
			if j.Status != tc.want || !strings.Contains(j.Reason, tc.reason) {
				t.Fatalf("got %s %q, want %s containing %q", j.Status, j.Reason, tc.want, tc.reason)
			}
		})
	}
}

func TestJudgeRows(t *testing.T) {
	t.Parallel()
	cols := []string{"first_name", "last_name"}
	for name, tc := range map[string]struct {
		o    RowObservation
		want Status
	}{
		"none":            {RowObservation{Columns: cols, Rows: 10000, Expected: 0.01}, StatusOK},
		"chance":          {RowObservation{Columns: cols, Rows: 10000, Reidentified: 1, Expected: 0.5}, StatusOK},
		"beyond, few":     {RowObservation{Columns: cols, Rows: 100000, Reidentified: 8, Expected: 0.01}, StatusWarn},
		"beyond, many":    {RowObservation{Columns: cols, Rows: 10000, Reidentified: 300, Expected: 0.01}, StatusFail},
		"expected, large": {RowObservation{Columns: cols, Rows: 10000, Reidentified: 105, Expected: 100}, StatusOK},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if j := (Policy{}).JudgeRows(tc.o); j.Status != tc.want {
				t.Fatalf("got %s %q, want %s", j.Status, j.Reason, tc.want)
			}
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	if err := (Policy{WarnRate: 0.02, FailRate: 0.1}).Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (Policy{FailRate: 1.5}).Validate(); err == nil || !strings.Contains(err.Error(), "fail_rate") {
		t.Fatalf("fail_rate 1.5: %v", err)
	}
}

func TestWorst(t *testing.T) {
	t.Parallel()
	if Worst(StatusOK, StatusWarn) != StatusWarn || Worst(StatusFail, StatusWarn) != StatusFail || Worst(StatusOK, StatusOK) != StatusOK {
		t.Fatal("Worst does not order OK < WARN < FAIL")
	}
}
