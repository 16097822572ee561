package leakscan

import (
	"fmt"
	"math"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// Status is the verdict on one finding of a verification report.
type Status string

// The statuses, from best to worst.
const (
	StatusOK   Status = "OK"
	StatusWarn Status = "WARN"
	StatusFail Status = "FAIL"
)

// Severity orders statuses: 0 for OK, 1 for WARN, 2 for FAIL.
func (s Status) Severity() int {
	switch s {
	case StatusFail:
		return 2
	case StatusWarn:
		return 1
	}
	return 0
}

// Worst returns the more severe of a and b.
func Worst(a, b Status) Status {
	if b.Severity() > a.Severity() {
		return b
	}
	return a
}

// The thresholds of a Policy whose fields are 0.
const (
	DefaultWarnRate             = 0.01
	DefaultFailRate             = 0.05
	DefaultReidentifiedFailRate = 0.001
)

// Policy holds a job's leak thresholds, as fractions of a column's rows
// (0 means the default). It travels in the plan (no secret).
type Policy struct {
	// WarnRate: a column whose share of rows holding a source value is
	// above it is WARN even when that share is what its transformer's
	// domain makes expected — a small domain copies real values by chance,
	// and someone should decide whether that is acceptable.
	WarnRate float64 `json:"warn_rate,omitempty"`
	// FailRate: a share of rows holding a source value (or keeping their
	// own) beyond the expectation and above this rate is FAIL.
	FailRate float64 `json:"fail_rate,omitempty"`
	// ReidentifiedFailRate: a table whose share of rows that keep all their
	// quasi-identifiers is beyond chance and above this rate is FAIL.
	ReidentifiedFailRate float64 `json:"reidentified_fail_rate,omitempty"`
}

// WithDefaults returns p with its zero thresholds set to the defaults.
func (p Policy) WithDefaults() Policy {
	if p.WarnRate <= 0 {
		p.WarnRate = DefaultWarnRate
	}
	if p.FailRate <= 0 {
		p.FailRate = DefaultFailRate
	}
	if p.ReidentifiedFailRate <= 0 {
		p.ReidentifiedFailRate = DefaultReidentifiedFailRate
	}
	return p
}

// Validate checks that every threshold is a fraction in [0, 1], naming
// the field.
func (p Policy) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"warn_rate", p.WarnRate}, {"fail_rate", p.FailRate}, {"reidentified_fail_rate", p.ReidentifiedFailRate}} {
		if math.IsNaN(f.v) || f.v < 0 || f.v > 1 {
			return fmt.Errorf("leak policy %s is %v; it must be a fraction between 0 and 1", f.name, f.v)
		}
	}
	return nil
}

// Observation is what a leak scan measured on one column.
type Observation struct {
	// Sampled rows, of which Equal hold a value the source column holds
	// in some row; Margin95 is the sampling margin of Equal/Sampled (0
	// when Exact).
	Sampled, Equal int64
	Margin95       float64
	// HasSelf is true when the copy measured SelfEqual, the rows whose
	// output equals their own input, over all Rows.
	HasSelf         bool
	Rows, SelfEqual int64
	// SourceDistinct and OutputDistinct estimate the column's distinct
	// source and output values (0 when not measured).
	SourceDistinct, OutputDistinct float64
	// Grouped is true when rows with equal inputs share their output (a
	// transform in consistent mode): they then match or not together, and
	// chance is judged over the distinct values rather than the rows.
	Grouped bool
}

// Judgement is the verdict on one column or table, with the expectations
// it was judged against and the reason for people.
type Judgement struct {
	Status Status `json:"status"`
	// ExpectedRate is the share of rows expected to hold a source value by
	// chance; nil when nothing can be expected.
	ExpectedRate *float64 `json:"expected_rate,omitempty"`
	// ExpectedSelfRate is the share of rows expected to keep their own
	// value by chance.
	ExpectedSelfRate float64 `json:"expected_self_rate,omitempty"`
	Reason           string  `json:"reason"`
}

// add records one finding, keeping the worst status.
func (j *Judgement) add(s Status, reason string) {
	j.Status = Worst(j.Status, s)
	if j.Reason != "" {
		j.Reason += "; "
	}
	j.Reason += reason
}

// JudgeColumn judges a column's leak scan o against the expectation e of
// its transformer:
//
//   - Rows keeping their own value: none are expected of a transformer of
//     class none, so any is FAIL; 1 in N is expected of a domain of N
//     values, so more than chance allows (a binomial tail under 1 in 200,
//     over the distinct values when Grouped, as consistent mode maps all
//     equal inputs alike) is WARN, and FAIL when the excess is above
//     FailRate. Without a known domain (same domain, unknown) any is WARN
//     and a share above FailRate is FAIL.
//   - Rows holding some source value: none are expected of class none;
//     of a small domain of N values against S distinct source values,
//     min(S, N)/N. A share beyond chance is WARN, FAIL when it exceeds
//     the expectation by more than FailRate (so that a domain narrower
//     than declared, say names cut to a short column, does not fail); a
//     share within expectation but above WarnRate is still WARN (chance
//     copies of real values are copies), unless the expectation is half
//     the rows or more (booleans, genders: the source holds most of the
//     domain and a match says nothing about its row). A remap's outputs are the
//     source's values by design and are not judged; an unknown
//     transformer is judged against the thresholds alone.
func (p Policy) JudgeColumn(e transformers.LeakExpectation, o Observation) Judgement {
	p = p.WithDefaults()
	j := Judgement{Status: StatusOK}
	p.judgeSelf(&j, e, o)
	p.judgeEqual(&j, e, o)
	if j.Reason == "" {
		j.Reason = "as expected"
	}
	return j
}

// judgeSelf judges the rows that kept their own value.
func (p Policy) judgeSelf(j *Judgement, e transformers.LeakExpectation, o Observation) {
	if e.Domain > 0 && e.Class != transformers.LeakNone {
		j.ExpectedSelfRate = 1 / e.Domain
	}
	if !o.HasSelf || o.Rows == 0 || o.SelfEqual == 0 {
		return
	}
	rate := float64(o.SelfEqual) / float64(o.Rows)
	what := fmt.Sprintf("%d of %d rows (%s) kept their own source value", o.SelfEqual, o.Rows, pct(rate))
	switch {
	case e.Class == transformers.LeakNone:
		j.add(StatusFail, what+", which this transformer should never do")
	case j.ExpectedSelfRate == 0:
		s := StatusWarn
		if rate > p.FailRate {
			s = StatusFail
		}
		j.add(s, what+" (nothing is expected of this transformer)")
	default:
		es := j.ExpectedSelfRate
		chance := chanceOf(rate, es, o.Rows, o.groups(o.SourceDistinct))
		if chance >= unlikely {
			return
		}
		s := StatusWarn
		if rate-es > p.FailRate {
			s = StatusFail
		}
		j.add(s, fmt.Sprintf("%s, beyond the %s expected by chance (a %s chance)", what, pct(es), odds(chance)))
	}
}

// judgeEqual judges the rows that hold some source value.
func (p Policy) judgeEqual(j *Judgement, e transformers.LeakExpectation, o Observation) {
	if o.Sampled == 0 {
		return
	}
	rate := float64(o.Equal) / float64(o.Sampled)
	what := fmt.Sprintf("%s of rows hold a source value", pct(rate))
	var expected float64
	switch {
	case e.Class == transformers.LeakNone:
	case e.Class == transformers.LeakSmallDomain && e.Domain > 0 && o.SourceDistinct > 0:
		expected = math.Min(o.SourceDistinct, e.Domain) / e.Domain
	case e.Class == transformers.LeakSameDomain:
		return // a remap's outputs are source values by design
	default: // unknown, or a small domain against an unmeasured source
		switch {
		case rate > p.FailRate && e.Class == transformers.LeakUnknown:
			j.add(StatusFail, what+fmt.Sprintf(", above the fail rate %s", pct(p.FailRate)))
		case rate > p.WarnRate:
			j.add(StatusWarn, what+fmt.Sprintf(", above the warn rate %s", pct(p.WarnRate)))
		}
		return
	}
	j.ExpectedRate = &expected
	chance := chanceOf(max(rate-o.Margin95, 0), expected, o.Sampled, o.groups(o.OutputDistinct))
	beyond := chance < unlikely
	switch {
	case beyond && rate-expected > p.FailRate:
		j.add(StatusFail, fmt.Sprintf("%s, beyond the %s expected by chance (a %s chance)%s", what, pct(expected), odds(chance), domainNote(e, o)))
	case beyond:
		j.add(StatusWarn, fmt.Sprintf("%s, beyond the %s expected by chance (a %s chance)%s", what, pct(expected), odds(chance), domainNote(e, o)))
	case rate > p.WarnRate && expected < saturated:
		j.add(StatusWarn, fmt.Sprintf("%s, as expected by chance (%s)%s, but above the warn rate %s: a larger-domain transformer copies fewer real values",
			what, pct(expected), domainNote(e, o), pct(p.WarnRate)))
	case rate > p.WarnRate:
		j.add(StatusOK, fmt.Sprintf("%s, as expected (%s)%s: the source holds most of the domain, so a match tells nothing about a row",
			what, pct(expected), domainNote(e, o)))
	}
}

// saturated is the expected chance rate from which a small domain is
// mostly the source's own values (booleans, genders, the states of a
// national customer base): every output is then a real value, a match
// says nothing about its row, and the warn rate does not apply. Rows
// keeping their own value are still judged.
const saturated = 0.5

// domainNote explains a small domain's expectation.
func domainNote(e transformers.LeakExpectation, o Observation) string {
	if e.Class != transformers.LeakSmallDomain || e.Domain == 0 {
		return ""
	}
	return fmt.Sprintf(" for %s output values against %s distinct source values", count(e.Domain), count(o.SourceDistinct))
}

// groups is the number of groups of rows that match together: distinct
// values when the rows are grouped, else 0 (every row on its own).
func (o Observation) groups(distinct float64) float64 {
	if o.Grouped {
		return distinct
	}
	return 0
}

// unlikely is the chance below which an observed rate is called beyond
// expectation: one in 200, so that a report over many columns and runs
// rarely warns of chance alone.
const unlikely = 0.005

// chanceOf is the probability that chance alone gives a share of at least
// rate of n rows when each matches with probability q and the rows come
// in about groups distinct values that match or not together (consistent
// mode maps equal inputs to equal outputs; groups 0 means every row is on
// its own): the binomial tail P(K >= ceil(rate*g)) of g = min(n, groups)
// trials.
func chanceOf(rate, q float64, n int64, groups float64) float64 {
	if rate <= 0 {
		return 1
	}
	if q <= 0 {
		return 0
	}
	g := float64(n)
	if groups > 0 && groups < g {
		g = math.Round(groups)
	}
	return binomialTail(int64(g), q, int64(math.Ceil(rate*g-1e-9)))
}

// binomialTail returns P(K >= k) for K ~ Binomial(n, q).
func binomialTail(n int64, q float64, k int64) float64 {
	if k <= 0 {
		return 1
	}
	if k > n {
		return 0
	}
	if q >= 1 {
		return 1
	}
	lq, l1q := math.Log(q), math.Log1p(-q)
	ln, _ := math.Lgamma(float64(n) + 1)
	sum := 0.0
	for i := k; i <= n; i++ {
		li, _ := math.Lgamma(float64(i) + 1)
		lni, _ := math.Lgamma(float64(n-i) + 1)
		term := math.Exp(ln - li - lni + float64(i)*lq + float64(n-i)*l1q)
		sum += term
		if term < sum*1e-12 && float64(i) > float64(n)*q {
			break
		}
	}
	return math.Min(sum, 1)
}

// odds formats a small probability for people ("1 in 820").
func odds(p float64) string {
	if p <= 0 || p < 1e-9 {
		return "less than 1 in a billion"
	}
	if p > 1e-6 {
		return fmt.Sprintf("1 in %.0f", 1/p)
	}
	return fmt.Sprintf("1 in %.2g", 1/p)
}

// RowObservation is the row-level re-identification count of one table:
// of Rows rows with Columns quasi-identifiers (small-domain columns),
// Reidentified kept every one of them equal to their own source values,
// where Expected rows do by chance.
type RowObservation struct {
	Columns      []string
	Rows         int64
	Reidentified int64
	Expected     float64
}

// JudgeRows judges a table's re-identification count: beyond chance
// (three standard deviations of a Poisson count, plus one row) is WARN,
// and FAIL when the share of rows is also above ReidentifiedFailRate.
func (p Policy) JudgeRows(o RowObservation) Judgement {
	p = p.WithDefaults()
	exp := 0.0
	if o.Rows > 0 {
		exp = o.Expected / float64(o.Rows)
	}
	j := Judgement{Status: StatusOK, ExpectedSelfRate: exp}
	what := fmt.Sprintf("%d of %d rows keep all of %s equal to their own source values", o.Reidentified, o.Rows, strings.Join(o.Columns, ", "))
	allow := o.Expected + 3*math.Sqrt(o.Expected) + 1
	switch {
	case float64(o.Reidentified) <= allow:
		j.Reason = what + fmt.Sprintf(" (%.2g expected by chance)", o.Expected)
	case float64(o.Reidentified)/float64(o.Rows) > p.ReidentifiedFailRate:
		j.add(StatusFail, what+fmt.Sprintf(", beyond the %.2g expected by chance and above the fail rate %s: those rows are re-identifiable", o.Expected, pct(p.ReidentifiedFailRate)))
	default:
		j.add(StatusWarn, what+fmt.Sprintf(", beyond the %.2g expected by chance", o.Expected))
	}
	return j
}

// pct formats a fraction as a percentage for people.
func pct(f float64) string {
	switch {
	case f == 0:
		return "0%"
	case f < 0.001:
		return fmt.Sprintf("%.3g%%", 100*f)
	}
	return fmt.Sprintf("%.1f%%", 100*f)
}

// count formats an estimated count.
func count(f float64) string { return fmt.Sprintf("%.0f", math.Round(f)) }
