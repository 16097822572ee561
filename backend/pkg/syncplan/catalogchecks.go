package syncplan

import (
	"slices"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// checkInheritance refuses a copied table that is the parent of other
// tables by PostgreSQL table inheritance (INHERITS, not partitioning):
// reading it without ONLY returns its children's rows as its own, so the
// copy would write every child row into the parent's destination table
// too — and, where the destination keeps the inheritance, emptying the
// parent would empty the children. The engine does not copy inheritance
// yet, so such a job is refused before anything is written. A copied
// child whose parent is not copied is an ordinary table to the engine: a
// warning says that "create missing tables" creates it without the link.
func (b *builder) checkInheritance(tables map[sqlschema.TableName]*Table) {
	if b.s.Definitions == nil {
		return
	}
	children := map[sqlschema.TableName][]string{}
	for _, in := range b.s.Definitions.Inheritance {
		switch {
		case tables[in.Parent] != nil:
			children[in.Parent] = append(children[in.Parent], in.Child.String())
		case tables[in.Child] != nil:
			b.warn("%s inherits from %s (table inheritance), which is not copied: it is copied as an ordinary table, and \"create missing tables\" creates it without the link", in.Child, in.Parent)
		}
	}
	for parent, kids := range children {
		slices.Sort(kids)
		b.probs.add("%s is the parent of %s by table inheritance (INHERITS): reading it returns their rows as its own, so the copy would write them into %s as well; "+
			"table inheritance is not supported: leave %s out of the job (its child tables are then copied as ordinary tables)",
			parent, strings.Join(kids, ", "), parent, parent)
	}
}

// warnRowSecurity warns about each copied table whose row-level security
// applies to the source connection's role: the copy reads, and its
// verification counts, only the rows the policies let that role see, so
// without the warning a partial copy would be reported as complete.
func (b *builder) warnRowSecurity(tables map[sqlschema.TableName]*Table) {
	if b.s.Definitions == nil {
		return
	}
	for _, t := range b.s.Definitions.RowSecurity {
		if tables[t] != nil {
			b.warn("%s has row-level security that applies to the source connection's role: the copy holds only the rows its policies let that role see, and the verification counts only those; "+
				"connect as the table's owner or a role with BYPASSRLS to copy every row", t)
		}
	}
}
