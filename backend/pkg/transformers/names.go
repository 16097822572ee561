package transformers

import (
	"slices"

	"github.com/brianvoe/gofakeit/v7/data"
)

// PersonNameLists returns copies of the first and last names the name
// generators and transformers draw from. PII detection (package piiscan)
// recognises person names by these lists, so a column filled by the
// generators is recognised as names too.
func PersonNameLists() (first, last []string) {
	return slices.Clone(data.Person["first"]), slices.Clone(data.Person["last"])
}
