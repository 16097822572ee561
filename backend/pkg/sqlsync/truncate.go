package sqlsync

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// TruncateCascadeError is the refusal to truncate a destination's copied
// tables while tables outside the job reference them and the destination
// does not set truncate_cascade: emptying the copied tables would leave
// those rows dangling, and emptying them too is for the user to ask.
type TruncateCascadeError struct {
	// Destination is the destination's name.
	Destination string
	// References reach the tables outside the job (syncplan.TruncateReach).
	References []syncplan.Reference
}

// Error names every referencing table and what to do.
func (e *TruncateCascadeError) Error() string {
	verb := "reference"
	if slices.ContainsFunc(e.References, func(r syncplan.Reference) bool { return r.Inherits }) {
		verb = "reference or inherit from"
	}
	return fmt.Sprintf("truncate: tables outside the job %s the truncated tables of destination %s: %s; "+
		"set truncate_cascade to empty them too, or add them to the job", verb, e.Destination, referenceList(e.References))
}

// referenceList prints refs, comma-separated.
func referenceList(refs []syncplan.Reference) string {
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = r.String()
	}
	return strings.Join(names, ", ")
}

// InheritanceError is the refusal to truncate a destination where one of
// the job's tables inherits from another (PostgreSQL table inheritance):
// emptying the parent empties the child, so whichever of the two is
// emptied after the other is copied would remove the other's copied rows.
type InheritanceError struct {
	// Destination is the destination's name.
	Destination string
	// Links are the inheritance links between the job's tables
	// (syncplan.InheritedWithin).
	Links []syncplan.Reference
}

// Error names every link and what to do.
func (e *InheritanceError) Error() string {
	return fmt.Sprintf("truncate: in destination %s, tables of the job inherit from other tables of the job: %s; "+
		"emptying a parent empties its children, so one table's copy would remove the other's rows, and table inheritance is not supported: "+
		"remove the link in the destination (ALTER TABLE … NO INHERIT) or leave the parent out of the job", e.Destination, referenceList(e.Links))
}

// TruncateReach returns, from dst's own catalog, the foreign keys (and
// table inheritance links) through which a truncate of the job's tables
// reaches tables outside the job (syncplan.TruncateReach, with
// destination names): the tables truncate_cascade empties too, and
// without it PrepareDestination refuses with a *TruncateCascadeError. A
// destination that truncates and where a table of the job inherits from
// another is refused with an *InheritanceError. The API's plan lists
// them; Verify reports them (Report.TruncatedOutsideJob). It only reads.
func (e *Engine) TruncateReach(ctx context.Context, plan *syncplan.Plan, dst Destination) ([]syncplan.Reference, error) {
	dst, err := e.resolve(ctx, plan, nil, dst)
	if err != nil {
		return nil, err
	}
	return truncateReach(ctx, plan, dst)
}

// truncateReach is TruncateReach for a resolved destination.
func truncateReach(ctx context.Context, plan *syncplan.Plan, dst Destination) ([]syncplan.Reference, error) {
	set := map[sqlschema.TableName]bool{}
	for _, t := range plan.Tables {
		set[dst.Options.DestTable(t.Name)] = true
	}
	for _, p := range plan.Partitions {
		set[dst.Options.DestTable(p.Name)] = true
	}
	refs, err := driverOf(dst.DB).References(ctx, dst.DB)
	if err != nil {
		return nil, fmt.Errorf("read destination foreign keys: %w", err)
	}
	if within := syncplan.InheritedWithin(refs, set); dst.Options.Truncate && len(within) > 0 {
		return nil, &InheritanceError{Destination: dst.Name, Links: within}
	}
	return syncplan.TruncateReach(refs, set), nil
}

// checkTruncateReach refuses (*TruncateCascadeError) to truncate dst when
// tables outside the job reference its copied tables and dst does not set
// TruncateCascade; with it, it returns the references through which the
// truncate reaches them (PrepareDestination logs those tables).
func (e *Engine) checkTruncateReach(ctx context.Context, plan *syncplan.Plan, dst Destination) ([]syncplan.Reference, error) {
	reach, err := truncateReach(ctx, plan, dst)
	if err != nil {
		return nil, err
	}
	if len(reach) == 0 {
		return nil, nil
	}
	if !dst.Options.TruncateCascade {
		return nil, &TruncateCascadeError{Destination: dst.Name, References: reach}
	}
	return reach, nil
}
