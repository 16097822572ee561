// Package piiscan finds columns that hold personal data, so a job does not
// copy them unchanged because nobody remembered they were sensitive.
//
// The scanner is pure: it looks at a column's name, its database type and a
// sample of its values in text form (as sqlschema streams them), and
// returns at most one [Finding] per column. It never performs I/O and never
// returns or logs a sampled value — the evidence is counts only — so its
// output may be shown to anyone who may see the schema.
//
// # What is recognised, and how
//
//   - Structured kinds, by value: email addresses (a strict address
//     pattern), phone numbers (E.164, NANP "(555) 201-3344" and other
//     national formats written with separators), payment card numbers
//     (13–19 digits with an issuer prefix and a valid Luhn check digit),
//     US social security numbers (AAA-GG-SSSS in the issued ranges: area
//     not 000, 666 or 900–999, group not 00, serial not 0000), IBANs
//     (country code, the country's length where known, ISO 7064 mod-97
//     check) and IPv4/IPv6 addresses (net/netip).
//   - Person names, by value, against the name lists the transformers draw
//     from (transformers.PersonNameLists).
//   - Dates of birth, by column name (dob, birth_date, …) on a date-like
//     column.
//   - Free text (and JSON) containing any structured kind.
//
// A column name that says what the column is (email, phone, ssn, …) lowers
// the share of matching values required and admits weak forms (bare nine
// digits for an SSN, bare ten digits for a phone); without such a name a
// structured kind needs [ValueThreshold] of the non-null sampled values to
// match its strong form. This is what keeps look-alikes out: a column of
// order numbers passes Luhn for about one value in ten, far below the
// threshold, while a real card column passes for all of them.
//
// Each finding carries a suggested transformer (a system transformer
// source and its configuration) that replaces the kind with realistic fake
// values of the same shape.
package piiscan
