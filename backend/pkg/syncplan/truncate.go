package syncplan

import (
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// Reference is a foreign key from Child to Parent, as a truncate sees it.
type Reference struct {
	Child  sqlschema.TableName `json:"child"`
	Name   string              `json:"name"`
	Parent sqlschema.TableName `json:"parent"`
	// Inherits marks a PostgreSQL table inheritance link (Child INHERITS
	// Parent; Name is empty) rather than a foreign key: a truncate of
	// Parent empties Child as well, cascade or not.
	Inherits bool `json:"inherits,omitempty"`
}

// String is "child (foreign key name to parent)", or "child (inherits
// from parent)" for an inheritance link.
func (r Reference) String() string {
	if r.Inherits {
		return r.Child.String() + " (inherits from " + r.Parent.String() + ")"
	}
	return r.Child.String() + " (foreign key " + r.Name + " to " + r.Parent.String() + ")"
}

// InheritedWithin returns the inheritance links of refs whose parent and
// child are both in set: emptying the parent empties the child, so a
// job that copies both into a destination that keeps the link would lose
// the child's copied rows whenever the parent is emptied after them.
func InheritedWithin(refs []Reference, set map[sqlschema.TableName]bool) []Reference {
	var out []Reference
	for _, r := range refs {
		if r.Inherits && set[r.Parent] && set[r.Child] {
			out = append(out, r)
		}
	}
	return out
}

// TruncateReach returns the references of refs that make a truncate of
// the tables of set reach further: those from a table outside set to a
// table of set, or to a table reached before — the tables a cascading
// truncate (PostgreSQL's TRUNCATE … CASCADE, the engine's equivalent on
// MySQL) empties too, and without cascade a truncate must refuse. They are
// in discovery order, so a child comes after the reference that reached
// its parent.
func TruncateReach(refs []Reference, set map[sqlschema.TableName]bool) []Reference {
	reached := make(map[sqlschema.TableName]bool, len(set))
	for t := range set {
		reached[t] = true
	}
	var out []Reference
	for grew := true; grew; {
		grew = false
		for _, r := range refs {
			if reached[r.Parent] && !reached[r.Child] {
				reached[r.Child] = true
				out = append(out, r)
				grew = true
			}
		}
	}
	return out
}

// ReachedTables returns the distinct child tables of refs, in order.
func ReachedTables(refs []Reference) []sqlschema.TableName {
	var out []sqlschema.TableName
	seen := map[sqlschema.TableName]bool{}
	for _, r := range refs {
		if !seen[r.Child] {
			seen[r.Child] = true
			out = append(out, r.Child)
		}
	}
	return out
}

// truncateWarnings tells, for every destination that truncates, which
// tables outside the job reference the copied ones in the source's
// catalog (its read schemas): a cascading truncate empties them in the
// destination too, and without truncate_cascade the run refuses when the
// destination has them. The engine checks the destination's own catalog
// when it prepares it (sqlsync.TruncateReach).
func (b *builder) truncateWarnings() {
	set := map[sqlschema.TableName]bool{}
	for _, t := range b.plan.Tables {
		set[t.Name] = true
	}
	for _, p := range b.plan.Partitions {
		set[p.Name] = true
	}
	var refs []Reference
	for _, tc := range b.s.Constraints {
		for _, fk := range tc.ForeignKeys {
			refs = append(refs, Reference{Child: tc.Table, Name: fk.Name, Parent: fk.Referenced})
		}
	}
	reach := TruncateReach(refs, set)
	if len(reach) == 0 {
		return
	}
	for _, d := range b.job.Destinations {
		if !d.Options.Truncate {
			continue
		}
		names := make([]string, len(reach))
		for i, r := range reach {
			r.Child, r.Parent = d.Options.DestTable(r.Child), d.Options.DestTable(r.Parent)
			names[i] = r.String()
		}
		list := strings.Join(names, ", ")
		if d.Options.TruncateCascade {
			b.warn("destination %s: truncate_cascade also empties %d tables outside the job that reference copied tables (as the source has them): %s",
				d.Name, len(ReachedTables(reach)), list)
			continue
		}
		b.warn("destination %s: truncate is refused if the destination has the tables outside the job that reference copied tables in the source: %s; "+
			"set truncate_cascade to empty them too, or add them to the job", d.Name, list)
	}
}

// TruncateWarningPrefix starts the plan's warnings about the truncate
// reach of destination name (both kinds above), which a caller that has read the
// destination's own catalog (the API's plan) replaces with what it found.
func TruncateWarningPrefix(name string) string { return "destination " + name + ": truncate" }
