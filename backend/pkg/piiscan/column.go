package piiscan

import (
	"slices"
	"strings"
	"unicode"
)

// typeClass groups database types by what they can hold.
type typeClass uint8

const (
	classText    typeClass = iota // char, varchar, text, …: anything
	classNumeric                  // integers and decimals: digit kinds only
	classDate                     // date and timestamp types
	classInet                     // PostgreSQL inet/cidr
	classJSON                     // json, jsonb: scanned as free text
	classOther                    // bool, uuid, bytea, arrays, …: not scanned by value
)

// classify maps a database type name (as sqlschema reports it, either
// dialect) to its class.
func classify(dataType string) typeClass {
	t := strings.ToLower(strings.TrimSpace(dataType))
	switch {
	case strings.HasSuffix(t, "[]") || strings.HasPrefix(t, "array") || t == "uuid" || strings.Contains(t, "bool") ||
		strings.Contains(t, "bytea") || strings.Contains(t, "blob") || strings.Contains(t, "binary") || t == "bit":
		return classOther
	case t == "inet" || t == "cidr":
		return classInet
	case strings.HasPrefix(t, "json"):
		return classJSON
	case strings.HasPrefix(t, "date") || strings.HasPrefix(t, "timestamp") || strings.HasPrefix(t, "time") || t == "year":
		return classDate
	case strings.Contains(t, "int") || strings.HasPrefix(t, "numeric") || strings.HasPrefix(t, "decimal"):
		return classNumeric
	case strings.Contains(t, "float") || strings.Contains(t, "double") || t == "real" || t == "money":
		return classOther
	}
	return classText
}

// nameHints are column name word sequences that say what a column holds.
// A column name is split into lower case words at underscores, spaces,
// punctuation and camelCase humps; a hint matches a contiguous run of them.
var nameHints = map[Kind][][]string{
	KindEmail:       {{"email"}, {"e", "mail"}, {"emailaddress"}, {"mail", "address"}},
	KindPhone:       {{"phone"}, {"phonenumber"}, {"mobile"}, {"cell"}, {"tel"}, {"telephone"}, {"fax"}, {"msisdn"}},
	KindCardNumber:  {{"card", "number"}, {"card", "no"}, {"card", "num"}, {"cardnumber"}, {"credit", "card"}, {"creditcard"}, {"cc", "number"}, {"pan"}},
	KindSSN:         {{"ssn"}, {"social", "security"}, {"socialsecurity"}, {"tax", "id"}},
	KindIBAN:        {{"iban"}, {"bank", "account"}},
	KindIPv4:        {{"ip"}, {"ipv4"}, {"ip", "address"}, {"ipaddress"}, {"ipaddr"}, {"remote", "addr"}},
	KindIPv6:        {{"ipv6"}, {"ip"}, {"ip", "address"}, {"ipaddress"}, {"ipaddr"}, {"remote", "addr"}},
	KindFirstName:   {{"first", "name"}, {"firstname"}, {"given", "name"}, {"givenname"}, {"fname"}, {"forename"}},
	KindLastName:    {{"last", "name"}, {"lastname"}, {"surname"}, {"family", "name"}, {"familyname"}, {"lname"}},
	KindFullName:    {{"full", "name"}, {"fullname"}, {"name"}, {"customer", "name"}, {"contact", "name"}, {"display", "name"}},
	KindDateOfBirth: {{"dob"}, {"birth", "date"}, {"birthdate"}, {"date", "of", "birth"}, {"dateofbirth"}, {"birthday"}, {"born"}},
}

// nameWords splits a column name into lower case words.
func nameWords(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	prev := rune(0)
	for _, r := range name {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && prev != 0 && unicode.IsLower(prev):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	return words
}

// hinted reports whether the column name words contain a hint for k. The
// bare word "name" hints a full name only when it is the whole column name
// (product_name and table_name are not people).
func hinted(words []string, k Kind) bool {
	for _, h := range nameHints[k] {
		if len(h) == 1 && h[0] == "name" && len(words) != 1 {
			continue
		}
		for i := 0; i+len(h) <= len(words); i++ {
			if slices.Equal(words[i:i+len(h)], h) {
				return true
			}
		}
	}
	return false
}
