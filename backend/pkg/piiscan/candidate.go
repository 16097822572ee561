package piiscan

import "math"

// candidate is one kind a column may hold.
type candidate struct {
	kind    Kind
	matched int
	share   float64 // of non-null values; 0 when nothing was sampled
	hint    bool
}

// score ranks candidates: the share of fitting values, plus a bonus when
// the column name agrees.
func (c candidate) score() float64 {
	s := c.share
	if c.hint {
		s += 0.25
	}
	return s
}

// candidates lists every kind the tally supports, in a fixed order (ties
// go to the earlier one).
func (t *tally) candidates(words []string, c typeClass) []candidate {
	var out []candidate
	consider := func(k Kind, matched int, need float64, minValues int) {
		hint := hinted(words, k)
		switch {
		case t.nonNull == 0 && hint:
			out = append(out, candidate{kind: k, hint: true})
		case t.nonNull > 0 && t.nonNull >= minValues:
			share := float64(matched) / float64(t.nonNull)
			if share >= need {
				out = append(out, candidate{kind: k, matched: matched, share: share, hint: hint})
			}
		}
	}
	for _, k := range StructuredKinds {
		need, n := ValueThreshold, t.strong[k]
		if hinted(words, k) {
			need, n = HintedThreshold, n+t.weak[k]
		}
		if n > 0 || t.nonNull == 0 {
			consider(k, n, need, 1)
		}
	}
	if c == classText {
		for _, k := range []Kind{KindFullName, KindFirstName, KindLastName} {
			need, minValues := NameThreshold, MinNameValues
			if hinted(words, k) {
				need, minValues = HintedNameThreshold, 1
			}
			consider(k, t.strong[k], need, minValues)
		}
	}
	if c == classDate || c == classText {
		consider(KindDateOfBirth, t.dates, ValueThreshold, 1)
		if n := len(out); n > 0 && out[n-1].kind == KindDateOfBirth && !out[n-1].hint {
			out = out[:n-1] // a date is personal only when it is a birth date
		}
	}
	if (c == classText || c == classJSON) && t.textValues > 0 && (c == classJSON || 2*t.prose >= t.nonNull) {
		share := float64(t.textValues) / float64(t.nonNull)
		out = append(out, candidate{kind: KindFreeText, matched: t.textValues, share: math.Min(share, 0.5)})
	}
	return out
}

// finding turns the chosen candidate into a Finding.
func (c candidate) finding(t *tally, class typeClass) Finding {
	conf := 0.5
	if t.nonNull > 0 {
		conf = 0.5 + 0.45*c.share
		if c.kind == KindFreeText {
			conf = 0.6 + 0.35*float64(c.matched)/float64(t.nonNull)
		}
		if c.hint {
			conf += 0.05
		}
	}
	conf = math.Min(math.Round(conf*100)/100, 0.99)
	ev := Evidence{Sampled: t.sampled, NonNull: t.nonNull, Matched: c.matched, NameMatch: c.hint}
	if c.kind == KindFreeText {
		ev.TextKinds = t.textKinds
	}
	return Finding{Kind: c.kind, Confidence: conf, Evidence: ev, Suggestion: suggest(c.kind, class)}
}
