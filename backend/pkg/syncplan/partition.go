package syncplan

import (
	"reflect"
	"slices"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// Partition is a PostgreSQL partition whose rows are copied through a
// partitioned table of the plan: reading the partitioned table returns
// them and writing it routes them, so the partition is not copied on its
// own (that would copy its rows twice). InitSchema creates it with
// CREATE TABLE … PARTITION OF.
type Partition struct {
	Name sqlschema.TableName `json:"name"`
	// Parent is the partitioned table it is attached to (a table of the
	// plan or another Partition).
	Parent sqlschema.TableName `json:"parent"`
	// Definition holds its bound, its own partition key when it is
	// partitioned itself, and its constraints and indexes.
	Definition sqlschema.TableDefinition `json:"definition"`
}

// foldPartitions lists in the plan's Partitions, parents first, every
// partition whose partitioned table is copied (directly or through another
// partition), mapped or not, and takes the mapped ones out of tables. A subset or a mapping on such a
// partition that differs from its parent's is reported: the parent's
// apply.
func (b *builder) foldPartitions(tables map[sqlschema.TableName]*Table) {
	if b.s.Definitions == nil {
		return
	}
	def := map[sqlschema.TableName]sqlschema.TableDefinition{}
	for _, td := range b.s.Definitions.Tables {
		def[td.Table] = td
	}
	// root returns the copied table t's rows go through, or false.
	root := func(t sqlschema.TableName) (sqlschema.TableName, int, bool) {
		depth := 0
		var found sqlschema.TableName
		ok := false
		for cur := def[t].PartitionOf; cur != nil; cur = def[*cur].PartitionOf {
			depth++
			if depth > 64 {
				break
			}
			if tables[*cur] != nil {
				found, ok = *cur, true
			}
		}
		return found, depth, ok
	}
	type folded struct {
		p     Partition
		depth int
	}
	var parts []folded
	for name, td := range def {
		if td.PartitionOf == nil {
			continue
		}
		via, depth, ok := root(name)
		tb := tables[name]
		if !ok {
			if tb != nil {
				b.warn("%s is a partition of %s, which is not copied: it is copied as an ordinary table", name, *td.PartitionOf)
			}
			continue
		}
		if tb != nil {
			if tb.Where != "" {
				b.probs.add("subset for %s: it is a partition copied through %s; put the subset on %s", name, via, via)
			}
			if !sameMappings(tb, tables[via]) {
				b.warn("%s is a partition copied through %s: its rows are transformed with the mappings of %s, not its own", name, via, via)
			}
		}
		td.Table = name
		parts = append(parts, folded{p: Partition{Name: name, Parent: *td.PartitionOf, Definition: td}, depth: depth})
	}
	slices.SortFunc(parts, func(a, b folded) int {
		if a.depth != b.depth {
			return a.depth - b.depth
		}
		return sqlschema.CompareTableNames(a.p.Name, b.p.Name)
	})
	for _, f := range parts {
		delete(tables, f.p.Name)
		b.plan.Partitions = append(b.plan.Partitions, f.p)
	}
}

// isFoldedPartition reports whether t is one of the plan's partitions.
func (p *Plan) isFoldedPartition(t sqlschema.TableName) bool {
	for _, pt := range p.Partitions {
		if pt.Name == t {
			return true
		}
	}
	return false
}

// sameMappings reports whether two tables transform their columns of the
// same name alike.
func sameMappings(a, b *Table) bool {
	for _, c := range a.Columns {
		o := b.Column(c.Name)
		if o == nil || o.Action != c.Action || !reflect.DeepEqual(o.Transformer, c.Transformer) {
			return false
		}
	}
	return true
}
