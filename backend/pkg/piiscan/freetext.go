package piiscan

import (
	"regexp"
	"strings"
)

// Candidates inside free text; each is then checked by the detector of its
// kind (so a digit run must pass Luhn to count as a card number).
var (
	textEmailRe = regexp.MustCompile(`[A-Za-z0-9._%+'-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24}`)
	textPhoneRe = regexp.MustCompile(`\+[1-9][0-9]{7,14}\b|(?:\+?1[ .-]?)?(?:\([2-9][0-9]{2}\) ?|\b[2-9][0-9]{2}[ .-])[2-9][0-9]{2}[ .-][0-9]{4}\b`)
	textCardRe  = regexp.MustCompile(`\b[2-6][0-9]{3}(?:[ -]?[0-9]{2,4}){2,4}\b`)
	textSSNRe   = regexp.MustCompile(`\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b`)
	textIBANRe  = regexp.MustCompile(`\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b`)
	textIPv4Re  = regexp.MustCompile(`\b[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\b`)
)

// textFinders pair a candidate pattern with the detector that confirms it.
var textFinders = []struct {
	kind  Kind
	re    *regexp.Regexp
	check func(string) match
}{
	{KindEmail, textEmailRe, emailMatch},
	{KindCardNumber, textCardRe, cardMatch},
	{KindSSN, textSSNRe, ssnMatch},
	{KindIBAN, textIBANRe, ibanMatch},
	{KindPhone, textPhoneRe, phoneMatch},
	{KindIPv4, textIPv4Re, func(s string) match { v4, _ := ipMatch(s); return v4 }},
}

// isFreeText reports whether v reads as prose rather than one value: at
// least three words.
func isFreeText(v string) bool {
	return len(v) >= 12 && len(strings.Fields(v)) >= 3
}

// textKinds returns the structured kinds found inside free text v.
func textKinds(v string) []Kind {
	var found []Kind
	for _, f := range textFinders {
		for _, c := range f.re.FindAllString(v, 8) {
			if f.check(strings.TrimSpace(c)) == strongMatch {
				found = append(found, f.kind)
				break
			}
		}
	}
	return found
}
