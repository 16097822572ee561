package piiscan

import (
	"strings"
	"time"
)

// Thresholds: the share of a column's non-null sampled values that must
// fit a kind for the column to be reported as that kind.
const (
	// ValueThreshold applies to structured kinds when the column name
	// says nothing: only strong matches (format and checksum) count.
	ValueThreshold = 0.8
	// HintedThreshold applies to structured kinds when the column name
	// names the kind; weak matches (bare digits) count too.
	HintedThreshold = 0.5
	// NameThreshold applies to person names without a hinting column name
	// (at least MinNameValues values sampled).
	NameThreshold = 0.7
	// HintedNameThreshold applies to person names with a hinting column
	// name; the lists cannot hold every name, so the bar is lower.
	HintedNameThreshold = 0.3
	// MinNameValues is the fewest non-null values that can show, without
	// a hinting name, that a column holds person names.
	MinNameValues = 5
)

// Column is what the scanner knows about a column besides its values.
type Column struct {
	Name     string
	DataType string
}

// Evidence says why a column was reported, in counts only: no sampled
// value ever appears in a finding.
type Evidence struct {
	// Sampled is the number of values looked at, NULLs included.
	Sampled int `json:"sampled"`
	// NonNull is the number of non-null, non-blank values among them.
	NonNull int `json:"non_null"`
	// Matched is how many non-null values fit the kind; for free text,
	// how many contain at least one structured kind.
	Matched int `json:"matched"`
	// NameMatch is set when the column name names the kind.
	NameMatch bool `json:"name_match"`
	// TextKinds counts, for free text, the values containing each kind.
	TextKinds map[Kind]int `json:"text_kinds,omitempty"`
}

// Finding reports that a column holds personal data of one kind.
type Finding struct {
	Kind Kind `json:"kind"`
	// Confidence is in (0, 1): 0.5 for a column name alone (no values to
	// check), rising with the share of matching values.
	Confidence float64    `json:"confidence"`
	Evidence   Evidence   `json:"evidence"`
	Suggestion Suggestion `json:"suggestion"`
}

// tally counts what a column's sampled values fit.
type tally struct {
	sampled, nonNull, prose, dates int
	strong, weak                   map[Kind]int
	textValues                     int
	textKinds                      map[Kind]int
}

func newTally() *tally {
	return &tally{strong: map[Kind]int{}, weak: map[Kind]int{}, textKinds: map[Kind]int{}}
}

func (t *tally) add(m match, k Kind) {
	switch m {
	case strongMatch:
		t.strong[k]++
	case weakMatch:
		t.weak[k]++
	}
}

// observe adds one non-blank value of a column of class c.
func (t *tally) observe(s string, c typeClass) {
	switch c {
	case classInet:
		v4, v6 := ipMatch(s)
		t.add(v4, KindIPv4)
		t.add(v6, KindIPv6)
	case classNumeric:
		t.add(phoneMatch(s), KindPhone)
		t.add(cardMatch(s), KindCardNumber)
		t.add(ssnMatch(s), KindSSN)
	case classDate:
		t.dates++
	case classJSON:
		t.observeText(s)
	case classText:
		t.add(emailMatch(s), KindEmail)
		t.add(phoneMatch(s), KindPhone)
		t.add(cardMatch(s), KindCardNumber)
		t.add(ssnMatch(s), KindSSN)
		t.add(ibanMatch(s), KindIBAN)
		v4, v6 := ipMatch(s)
		t.add(v4, KindIPv4)
		t.add(v6, KindIPv6)
		n := matchName(s)
		t.add(boolMatch(n.first), KindFirstName)
		t.add(boolMatch(n.last), KindLastName)
		t.add(boolMatch(n.full), KindFullName)
		if looksLikeDate(s) {
			t.dates++
		}
		if isFreeText(s) {
			t.prose++
			t.observeText(s)
		}
	}
}

func (t *tally) observeText(s string) {
	kinds := textKinds(s)
	if len(kinds) > 0 {
		t.textValues++
	}
	for _, k := range kinds {
		t.textKinds[k]++
	}
}

func boolMatch(b bool) match {
	if b {
		return strongMatch
	}
	return noMatch
}

// looksLikeDate reports whether s starts with an ISO date or is a common
// day/month/year form.
func looksLikeDate(s string) bool {
	for _, layout := range []string{"2006-01-02", "01/02/2006", "02.01.2006"} {
		if len(s) >= len(layout) {
			if _, err := time.Parse(layout, s[:len(layout)]); err == nil {
				return true
			}
		}
	}
	return false
}

// ScanColumn returns the kind of personal data col holds, judged by its
// name, type and a sample of its values in text form (nil for NULL), and
// false when it holds none the scanner recognises.
func ScanColumn(col Column, values []*string) (Finding, bool) {
	c := classify(col.DataType)
	if c == classOther {
		return Finding{}, false
	}
	t := newTally()
	for _, v := range values {
		t.sampled++
		if v == nil {
			continue
		}
		s := strings.TrimSpace(*v)
		if s == "" {
			continue
		}
		t.nonNull++
		t.observe(s, c)
	}
	words := nameWords(col.Name)
	best, ok := candidate{}, false
	for _, cand := range t.candidates(words, c) {
		if !ok || cand.score() > best.score() {
			best, ok = cand, true
		}
	}
	if !ok {
		return Finding{}, false
	}
	return best.finding(t, c), true
}

// ScanSample scans the columns cols of one table from a sample of its
// rows: rows hold the values of sampleColumns, in that order (as
// sqlschema's SampleRows returns them). It returns the findings by column
// name; a column missing from the sample is not scanned.
func ScanSample(cols []Column, sampleColumns []string, rows [][]*string) map[string]Finding {
	index := make(map[string]int, len(sampleColumns))
	for k, n := range sampleColumns {
		index[n] = k
	}
	out := map[string]Finding{}
	values := make([]*string, len(rows))
	for _, c := range cols {
		k, ok := index[c.Name]
		if !ok {
			continue
		}
		for r, row := range rows {
			values[r] = row[k]
		}
		if f, ok := ScanColumn(c, values); ok {
			out[c.Name] = f
		}
	}
	return out
}
