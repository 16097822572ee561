package syncdriver

import "strings"

// SessionPrefix starts the name of every destination session the engine
// tags: a PostgreSQL session's application_name is SessionPrefix followed
// by Destination.SessionTag, and a tagged MySQL statement starts with the
// comment "/* " + SessionPrefix + tag + " */".
const SessionPrefix = "neosync:"

// maxSessionName is PostgreSQL's limit on application_name (NAMEDATALEN
// - 1 bytes); longer names are cut there, by the server and by us alike.
const maxSessionName = 63

// SessionName is the name the engine gives the destination sessions of a
// step tagged tag: SessionPrefix + tag, with every byte outside
// [A-Za-z0-9:._-] replaced by '_' (so the name is safe inside a SQL
// comment and survives PostgreSQL's ASCII-only application_name) and cut
// at 63 bytes. EndStaleSessions matches prefixes the same way.
func SessionName(tag string) string {
	return SanitizeSessionName(SessionPrefix + tag)
}

// SanitizeSessionName replaces every byte of s outside [A-Za-z0-9:._-]
// with '_' and cuts it at 63 bytes, as SessionName does.
func SanitizeSessionName(s string) string {
	b := []byte(s)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ':' || c == '.' || c == '_' || c == '-'
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) > maxSessionName {
		b = b[:maxSessionName]
	}
	return string(b)
}

// Session is SessionName(d.SessionTag), or "" without a tag.
func (d Destination) Session() string {
	if d.SessionTag == "" {
		return ""
	}
	return SessionName(d.SessionTag)
}

// Step reports what the engine is about to run on the destination (see
// Destination.OnStep).
func (d Destination) Step(what string) {
	if d.OnStep != nil {
		d.OnStep(what)
	}
}

// LikePrefix escapes s for a LIKE pattern matching strings that start
// with it (backslash is the escape character of both dialects).
func LikePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}
