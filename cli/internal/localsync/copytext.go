package localsync

import "strings"

// copyTextReplacer escapes a value for PostgreSQL's COPY TEXT format:
// backslash first (it is the escape character), then the delimiter (tab)
// and the row terminators.
var copyTextReplacer = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`)

// appendCopyRow appends one row in COPY TEXT format: fields separated by
// tabs, NULL as \N, terminated by a newline. A value is the source's text
// output, which COPY FROM parses back with the column's input function,
// so it round-trips exactly.
func appendCopyRow(buf []byte, row []*string) []byte {
	for i, v := range row {
		if i > 0 {
			buf = append(buf, '\t')
		}
		if v == nil {
			buf = append(buf, `\N`...)
			continue
		}
		if strings.ContainsAny(*v, "\\\t\n\r") {
			buf = append(buf, copyTextReplacer.Replace(*v)...)
		} else {
			buf = append(buf, *v...)
		}
	}
	return append(buf, '\n')
}
