package job

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/tableorder"
)

// SchemaReader reads a connection's columns and constraints.
type SchemaReader interface {
	Schema(ctx context.Context, scope domain.Scope, id uuid.UUID) ([]sqlschema.Column, []sqlschema.TableConstraints, error)
}

// ColumnError lists the problems with one column's mapping.
type ColumnError struct {
	Schema, Table, Column string
	Errors                []string
}

// MappingReport is the result of ValidateMappings.
type MappingReport struct {
	ColumnErrors   []ColumnError
	DatabaseErrors []string
}

// ValidateMappings checks mappings against the source's real schema: every
// mapped column exists; every NOT NULL column without a default, identity or
// generation in a mapped table is mapped; virtual foreign keys name real
// columns; and every foreign-key cycle among mapped tables has a nullable
// key to break it.
func ValidateMappings(ctx context.Context, reader SchemaReader, scope domain.Scope, accountID, connectionID uuid.UUID, mappings []Mapping, vfks []VirtualForeignKey) (MappingReport, error) {
	if !scope.Allows(accountID) {
		return MappingReport{}, domain.NotFound("account", accountID)
	}
	cols, cons, err := reader.Schema(ctx, domain.Scope{AccountIDs: []uuid.UUID{accountID}}, connectionID)
	if err != nil {
		return MappingReport{}, err
	}
	return CheckMappings(cols, cons, mappings, vfks), nil
}

// CheckMappings is the pure part of ValidateMappings.
func CheckMappings(cols []sqlschema.Column, cons []sqlschema.TableConstraints, mappings []Mapping, vfks []VirtualForeignKey) MappingReport {
	type colKey struct{ schema, table, column string }
	byKey := map[colKey]sqlschema.Column{}
	tableCols := map[sqlschema.TableName][]sqlschema.Column{}
	for _, c := range cols {
		byKey[colKey{c.Schema, c.Table, c.Name}] = c
		t := sqlschema.TableName{Schema: c.Schema, Table: c.Table}
		tableCols[t] = append(tableCols[t], c)
	}
	errs := map[colKey][]string{}
	var order []colKey
	addErr := func(k colKey, msg string) {
		if _, ok := errs[k]; !ok {
			order = append(order, k)
		}
		errs[k] = append(errs[k], msg)
	}
	mapped := map[colKey]bool{}
	mappedTables := map[sqlschema.TableName]bool{}
	for _, m := range mappings {
		k := colKey{m.Schema, m.Table, m.Column}
		if mapped[k] {
			addErr(k, "column is mapped more than once")
			continue
		}
		mapped[k] = true
		t := sqlschema.TableName{Schema: m.Schema, Table: m.Table}
		if _, ok := tableCols[t]; !ok {
			addErr(k, fmt.Sprintf("table %s does not exist in the source", t))
			continue
		}
		mappedTables[t] = true
		if _, ok := byKey[k]; !ok {
			addErr(k, fmt.Sprintf("column does not exist in source table %s", t))
		}
	}
	for t := range mappedTables {
		for _, c := range tableCols[t] {
			k := colKey{c.Schema, c.Table, c.Name}
			if mapped[k] || c.IsNullable || c.Default != nil || c.IdentityGeneration != "" || c.GeneratedKind != "" {
				continue
			}
			addErr(k, "required column (NOT NULL, no default) is not mapped")
		}
	}
	var report MappingReport
	slices.SortFunc(order, func(a, b colKey) int {
		return cmpStrings(a.schema+"\x00"+a.table+"\x00"+a.column, b.schema+"\x00"+b.table+"\x00"+b.column)
	})
	for _, k := range order {
		report.ColumnErrors = append(report.ColumnErrors, ColumnError{Schema: k.schema, Table: k.table, Column: k.column, Errors: errs[k]})
	}

	var edges []tableorder.Edge
	for _, tc := range cons {
		for _, fk := range tc.ForeignKeys {
			nullable := len(fk.ColumnsNullable) > 0
			for _, n := range fk.ColumnsNullable {
				nullable = nullable && n
			}
			edges = append(edges, tableorder.Edge{Child: tc.Table.String(), Parent: fk.Referenced.String(), Name: fk.Name, Nullable: nullable})
		}
	}
	for i, v := range vfks {
		child := sqlschema.TableName{Schema: v.Schema, Table: v.Table}
		parent := sqlschema.TableName{Schema: v.ReferencedSchema, Table: v.ReferencedTable}
		nullable := true
		bad := false
		for _, c := range v.Columns {
			col, ok := byKey[colKey{v.Schema, v.Table, c}]
			if !ok {
				report.DatabaseErrors = append(report.DatabaseErrors, fmt.Sprintf("virtual foreign key %d: column %s.%s does not exist", i, child, c))
				bad = true
				continue
			}
			nullable = nullable && col.IsNullable
		}
		for _, c := range v.ReferencedColumns {
			if _, ok := byKey[colKey{v.ReferencedSchema, v.ReferencedTable, c}]; !ok {
				report.DatabaseErrors = append(report.DatabaseErrors, fmt.Sprintf("virtual foreign key %d: referenced column %s.%s does not exist", i, parent, c))
				bad = true
			}
		}
		if !bad {
			edges = append(edges, tableorder.Edge{Child: child.String(), Parent: parent.String(), Name: fmt.Sprintf("virtual_%d", i), Nullable: nullable})
		}
	}
	var tables []string
	for t := range mappedTables {
		tables = append(tables, t.String())
	}
	for _, c := range tableorder.Cycles(tables, edges) {
		if !c.Breakable {
			report.DatabaseErrors = append(report.DatabaseErrors, fmt.Sprintf("foreign-key cycle %s has no nullable foreign key to break it; rows cannot be inserted", c))
		}
	}
	return report
}

func cmpStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
