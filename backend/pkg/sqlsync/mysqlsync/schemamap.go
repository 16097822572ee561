package mysqlsync

import (
	"maps"
	"slices"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// SchemaMap completes schemaMap (which it does not modify) with the
// source's database → dstDB, the database the destination's connection
// uses: on MySQL a schema is a database of the server, so writing into a
// database named like the source's would, on the source's own server,
// write into the source. The source's database is the plan's only schema,
// or, for a plan over several databases, srcDB (the one the source
// connection uses); the others keep their names. Without dstDB, or when
// schemaMap maps the source's database itself, schemaMap is returned as
// it is. (sqlsync's resolve applies it to every MySQL destination.)
func SchemaMap(plan *syncplan.Plan, schemaMap map[string]string, srcDB, dstDB string) map[string]string {
	if dstDB == "" {
		return schemaMap
	}
	var schemas []string
	for _, t := range plan.Tables {
		if !slices.Contains(schemas, t.Name.Schema) {
			schemas = append(schemas, t.Name.Schema)
		}
	}
	home := ""
	switch {
	case len(schemas) == 1:
		home = schemas[0]
	case slices.Contains(schemas, srcDB):
		home = srcDB
	}
	if home == "" || schemaMap[home] != "" {
		return schemaMap
	}
	out := maps.Clone(schemaMap)
	if out == nil {
		out = map[string]string{}
	}
	out[home] = dstDB
	return out
}
