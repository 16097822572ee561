package jobplan

import (
	"context"
	"slices"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// TestPassthroughPIIWarningsBudget checks that a check out of time stops
// with one warning naming what it did not reach (the budget here is
// spent before the first table, so no database is needed).
func TestPassthroughPIIWarningsBudget(t *testing.T) {
	t.Parallel()
	copied := []syncplan.Column{{Column: sqlschema.Column{Name: "note", DataType: "text"}, Action: syncplan.ActionCopy}}
	p := &syncplan.Plan{Tables: []syncplan.Table{
		{Name: sqlschema.TableName{Schema: "public", Table: "users"}, Columns: copied},
		{Name: sqlschema.TableName{Schema: "public", Table: "orders"}, Columns: copied},
	}}
	got := passthroughPIIWarnings(context.Background(), nil, p, 0)
	want := []string{"personal data check stopped after 0s: 2 tables with columns copied unchanged from public.users on were not checked; neosync connections scan checks every table"}
	if !slices.Equal(got, want) {
		t.Errorf("warnings = %q, want %q", got, want)
	}
}
