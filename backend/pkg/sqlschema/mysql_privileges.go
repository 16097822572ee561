package sqlschema

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// mysqlTablePrivileges are the privileges that can apply to a table; global
// and database grants of other privileges (FILE, PROCESS, USAGE, ...) are
// ignored.
var mysqlTablePrivileges = []string{
	"ALTER", "CREATE", "CREATE VIEW", "DELETE", "DELETE HISTORY", "DROP", "INDEX",
	"INSERT", "REFERENCES", "SELECT", "SHOW VIEW", "TRIGGER", "UPDATE",
}

// mysqlGrantee converts CURRENT_USER() output such as root@localhost into
// the GRANTEE form used by information_schema, 'root'@'localhost'. The host
// part never contains '@', so the split is at the last '@'.
func mysqlGrantee(currentUser string) (string, error) {
	i := strings.LastIndexByte(currentUser, '@')
	if i < 0 {
		return "", fmt.Errorf("sqlschema: unexpected CURRENT_USER() %q", currentUser)
	}
	return "'" + currentUser[:i] + "'@'" + currentUser[i+1:] + "'", nil
}

type mysqlGrant struct {
	level, schema, table, privilege string
}

// Privileges implements [Inspector.Privileges]. Database level grants may
// use the LIKE wildcards % and _ in the database name, which is honoured.
func (m *mysqlInspector) Privileges(ctx context.Context, schemas []string) ([]TablePrivileges, error) {
	var cu string
	if err := m.db.QueryRowContext(ctx, "SELECT CURRENT_USER()").Scan(&cu); err != nil {
		return nil, fmt.Errorf("sqlschema: query mysql current user: %w", err)
	}
	grantee, err := mysqlGrantee(cu)
	if err != nil {
		return nil, err
	}
	const q = `SELECT 'global', '', '', PRIVILEGE_TYPE, GRANTEE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?
UNION ALL SELECT 'schema', TABLE_SCHEMA, '', PRIVILEGE_TYPE, GRANTEE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?
UNION ALL SELECT 'table', TABLE_SCHEMA, TABLE_NAME, PRIVILEGE_TYPE, GRANTEE FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ?`
	rows, err := m.db.QueryContext(ctx, q, grantee, grantee, grantee)
	if err != nil {
		return nil, fmt.Errorf("sqlschema: query mysql privileges: %w", err)
	}
	defer rows.Close()
	var grants []mysqlGrant
	for rows.Next() {
		var g mysqlGrant
		var who string
		if err := rows.Scan(&g.level, &g.schema, &g.table, &g.privilege, &who); err != nil {
			return nil, fmt.Errorf("sqlschema: read mysql privileges: %w", err)
		}
		g.privilege = strings.ToUpper(g.privilege)
		if who == grantee && slices.Contains(mysqlTablePrivileges, g.privilege) {
			grants = append(grants, g)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlschema: read mysql privileges: %w", err)
	}
	tables, err := m.Tables(ctx, schemas)
	if err != nil {
		return nil, err
	}
	var out []TablePrivileges
	for _, t := range tables {
		set := map[string]bool{}
		for _, g := range grants {
			switch g.level {
			case "global":
				set[g.privilege] = true
			case "schema":
				if mysqlLikeMatch(g.schema, t.Schema) {
					set[g.privilege] = true
				}
			case "table":
				if g.schema == t.Schema && g.table == t.Table {
					set[g.privilege] = true
				}
			}
		}
		if len(set) == 0 {
			continue
		}
		tp := TablePrivileges{Table: t}
		for p := range set {
			tp.Privileges = append(tp.Privileges, p)
		}
		out = append(out, tp)
	}
	sortPrivileges(out)
	return out, nil
}

// mysqlLikeMatch reports whether name matches the database-name pattern of
// a GRANT: % matches any run of characters, _ exactly one, and a backslash
// escapes the next character. Matching is case sensitive, like database
// names on servers with lower_case_table_names=0.
func mysqlLikeMatch(pattern, name string) bool {
	p, n := []rune(pattern), []rune(name)
	// Iterative wildcard matching with backtracking to the last %.
	pi, ni := 0, 0
	starP, starN := -1, 0
	for ni < len(n) {
		if pi < len(p) {
			switch {
			case p[pi] == '%':
				starP, starN = pi, ni
				pi++
				continue
			case p[pi] == '\\' && pi+1 < len(p):
				if p[pi+1] == n[ni] {
					pi += 2
					ni++
					continue
				}
			case p[pi] == '_' || p[pi] == n[ni]:
				pi++
				ni++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starN++
		pi, ni = starP+1, starN
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}
