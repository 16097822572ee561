package localsync

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// Schema returns the source catalog syncplan.NewPlan computes a plan
// from, built from the columns and constraints the API reports, with
// Definitions synthesized for InitSchema (see the package documentation;
// what the API does not report — check constraints, secondary indexes,
// domains, collations — is not recreated). Column defaults the
// destination could not evaluate (calls of functions other than the clock
// and nextval) are dropped.
func Schema(dialect sqlschema.Dialect, columns []sqlschema.Column, constraints []sqlschema.TableConstraints) *syncplan.Schema {
	s := &syncplan.Schema{Dialect: dialect, Constraints: constraints}
	seen := map[sqlschema.TableName]bool{}
	for _, c := range columns {
		t := sqlschema.TableName{Schema: c.Schema, Table: c.Table}
		if !seen[t] {
			seen[t] = true
			s.Tables = append(s.Tables, t)
		}
		s.Columns = append(s.Columns, keepDefault(dialect, c))
	}
	slices.SortStableFunc(s.Columns, func(a, b sqlschema.Column) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Table, b.Table), cmp.Compare(a.OrdinalPosition, b.OrdinalPosition))
	})
	if dialect == sqlschema.DialectPostgres {
		s.Definitions = pgDefinitions(s.Columns, constraints)
	} else {
		s.Definitions = mysqlDefinitions(s.Columns, constraints)
	}
	return s
}

// Job returns the data-plane job of a sync of the tables f keeps. With
// base.Mappings empty (a connection), every column of those tables is
// copied unchanged; otherwise (a job) base's mappings are kept for those
// tables only, with the subsets and virtual foreign keys that concern
// them. base's other settings are kept.
func Job(s *syncplan.Schema, f Filter, base syncplan.Job) (syncplan.Job, error) {
	if err := f.Validate(); err != nil {
		return base, err
	}
	job := base
	job.Mappings, job.Subsets, job.VirtualForeignKeys = nil, nil, nil
	kept := map[sqlschema.TableName]bool{}
	if len(base.Mappings) == 0 {
		for _, c := range s.Columns {
			t := sqlschema.TableName{Schema: c.Schema, Table: c.Table}
			if f.Keep(t) {
				kept[t] = true
				job.Mappings = append(job.Mappings, syncplan.Mapping{Schema: c.Schema, Table: c.Table, Column: c.Name,
					Transformer: syncplan.Transformer{Source: syncplan.Passthrough}})
			}
		}
		if len(job.Mappings) == 0 {
			if len(f.Include) > 0 || len(f.Exclude) > 0 {
				return job, fmt.Errorf("no table of the source matches the table filters")
			}
			return job, fmt.Errorf("the source has no tables")
		}
		return job, nil
	}
	for _, m := range base.Mappings {
		t := sqlschema.TableName{Schema: m.Schema, Table: m.Table}
		if f.Keep(t) {
			kept[t] = true
			job.Mappings = append(job.Mappings, m)
		}
	}
	if len(job.Mappings) == 0 {
		return job, fmt.Errorf("no table the job maps matches the table filters")
	}
	for _, sub := range base.Subsets {
		if kept[sqlschema.TableName{Schema: sub.Schema, Table: sub.Table}] {
			job.Subsets = append(job.Subsets, sub)
		}
	}
	for _, v := range base.VirtualForeignKeys {
		if kept[v.Table] && kept[v.Referenced] {
			job.VirtualForeignKeys = append(job.VirtualForeignKeys, v)
		}
	}
	return job, nil
}
