package transformers

import (
	"strings"

	"github.com/brianvoe/gofakeit/v7/data"
)

// Word lists built once from gofakeit's data sets (all names are ASCII).
var (
	firstNames      = newLenIndex(data.Person["first"])
	lastNames       = newLenIndex(data.Person["last"])
	lowerFirstNames = newLenIndex(lowerAll(data.Person["first"]))
	lowerLastNames  = newLenIndex(lowerAll(data.Person["last"]))
	cityNames       = newLenIndex(data.Address["city"])
	streetTypes     = newLenIndex(data.Address["street_name"])
	streetPrefixes  = data.Address["street_prefix"]
	// US states and their postal codes, index-aligned.
	stateNames = data.Address["state"]
	stateCodes = data.Address["state_abr"][:len(data.Address["state"])]
	// ISO 3166-1 countries and their alpha-2 codes, index-aligned.
	countryNames = data.Address["country"]
	countryCodes = data.Address["country_abr"]
)

// companySuffixes end generated business names.
var companySuffixes = []string{"Inc", "LLC", "Group", "and Sons", "Corp", "Co", "Partners", "Holdings", "Labs", "Industries"}

func lowerAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strings.ToLower(s)
	}
	return out
}
