package piiscan

import (
	"strings"
	"sync"
	"unicode"

	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// nameSets holds the transformers' first and last names, lower case.
type nameSets struct {
	first, last map[string]struct{}
}

var personNames = sync.OnceValue(func() nameSets {
	first, last := transformers.PersonNameLists()
	s := nameSets{first: make(map[string]struct{}, len(first)), last: make(map[string]struct{}, len(last))}
	for _, n := range first {
		s.first[strings.ToLower(n)] = struct{}{}
	}
	for _, n := range last {
		s.last[strings.ToLower(n)] = struct{}{}
	}
	return s
})

// nameMatches says which person name kinds one value fits.
type nameMatches struct {
	first, last, full bool
}

// matchName checks v against the name lists: a single word that is a
// listed first (last) name, or two to four capitalised words of which the
// first is a listed first name or the last a listed last name.
func matchName(v string) nameMatches {
	words := strings.Fields(v)
	if len(words) == 0 || len(words) > 4 || len(v) > 80 {
		return nameMatches{}
	}
	for _, w := range words {
		if !nameWord(w) {
			return nameMatches{}
		}
	}
	sets := personNames()
	if len(words) == 1 {
		w := strings.ToLower(words[0])
		_, f := sets.first[w]
		_, l := sets.last[w]
		return nameMatches{first: f, last: l}
	}
	_, f := sets.first[strings.ToLower(words[0])]
	_, l := sets.last[strings.ToLower(words[len(words)-1])]
	return nameMatches{full: f || l}
}

// nameWord reports whether w looks like a word of a person's name: letters
// with inner apostrophes, hyphens or a final period, starting upper case.
func nameWord(w string) bool {
	for i, r := range w {
		switch {
		case i == 0 && !unicode.IsUpper(r):
			return false
		case unicode.IsLetter(r):
		case r == '\'' || r == '-' || r == '.':
		default:
			return false
		}
	}
	return true
}
