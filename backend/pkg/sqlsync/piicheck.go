package sqlsync

import (
	"context"
	"fmt"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/piiscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// PIISampleRows is the number of rows per table that CheckPassthroughPII
// samples: enough for the scanner's thresholds, few enough that a read
// stops early on any table.
const PIISampleRows = 100

// DefaultPIIBudget bounds the time Verify spends sampling the source for
// personal data copied unchanged (VerifyOptions.PIIBudget 0). Each table's
// read is further bounded by sqlschema.SampleTimeout.
const DefaultPIIBudget = time.Minute

// PIIColumn is a column the plan copies unchanged (passthrough, or a
// column without a mapping) in which the PII scanner found personal data.
// It carries counts only, never a sampled value.
type PIIColumn struct {
	Table  sqlschema.TableName `json:"table"`
	Column string              `json:"column"`
	// Unmapped is true when the job has no mapping for the column (it was
	// added to the source since the job was saved).
	Unmapped bool `json:"unmapped,omitempty"`
	piiscan.Finding
}

// PIIUnchecked is a table with columns copied unchanged whose sample could
// not be read, and why.
type PIIUnchecked struct {
	Table  sqlschema.TableName `json:"table"`
	Reason string              `json:"reason"`
}

// PIICheck is the check of a plan's columns copied unchanged for personal
// data: the source is sampled (PIISampleRows rows per table) and each such
// column scanned by package piiscan. Tables whose columns are all
// transformed or omitted are not read.
type PIICheck struct {
	// Checked is the number of tables sampled.
	Checked int `json:"checked"`
	// Columns are the findings, in plan order.
	Columns []PIIColumn `json:"columns,omitempty"`
	// Failed are the tables whose sample could not be read.
	Failed []PIIUnchecked `json:"failed,omitempty"`
	// NotReached counts the tables the check did not reach within its
	// time budget (BudgetSeconds); FirstNotReached is the first of them.
	NotReached      int                  `json:"not_reached,omitempty"`
	FirstNotReached *sqlschema.TableName `json:"first_not_reached,omitempty"`
	BudgetSeconds   float64              `json:"budget_seconds"`
}

// Complete reports whether every table with a column copied unchanged was
// checked.
func (c *PIICheck) Complete() bool { return len(c.Failed) == 0 && c.NotReached == 0 }

// CheckPassthroughPII samples, through insp (the source's inspector), every
// table of plan that has a column copied unchanged and scans those columns
// for personal data. It spends at most budget: a table not reached by then
// is counted in NotReached. A table whose sample fails (dropped, a
// statement timeout, no privilege) is listed in Failed; the check itself
// never fails. Sampled values stay in this function.
func CheckPassthroughPII(ctx context.Context, insp sqlschema.Inspector, plan *syncplan.Plan, budget time.Duration) PIICheck {
	out := PIICheck{BudgetSeconds: budget.Seconds()}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	for i := range plan.Tables {
		t := &plan.Tables[i]
		copied := passthroughColumns(t)
		if len(copied) == 0 {
			continue
		}
		if ctx.Err() != nil {
			out.notReached(t.Name)
			continue
		}
		names, rows, err := insp.SampleRows(ctx, t.Name, PIISampleRows)
		if err != nil && ctx.Err() != nil {
			out.notReached(t.Name)
			continue
		}
		if err != nil {
			out.Failed = append(out.Failed, PIIUnchecked{Table: t.Name, Reason: err.Error()})
			continue
		}
		out.Checked++
		scan := make([]piiscan.Column, len(copied))
		for k, c := range copied {
			scan[k] = piiscan.Column{Name: c.Name, DataType: c.DataType}
		}
		found := piiscan.ScanSample(scan, names, rows)
		for _, c := range copied {
			if f, ok := found[c.Name]; ok {
				out.Columns = append(out.Columns, PIIColumn{Table: t.Name, Column: c.Name, Unmapped: c.Unmapped, Finding: f})
			}
		}
	}
	return out
}

// notReached counts table t as not reached within the budget.
func (c *PIICheck) notReached(t sqlschema.TableName) {
	if c.NotReached == 0 {
		c.FirstNotReached = &t
	}
	c.NotReached++
}

// passthroughColumns are the columns of t written as the source holds
// them.
func passthroughColumns(t *syncplan.Table) []syncplan.Column {
	var out []syncplan.Column
	for _, c := range t.Columns {
		if c.Action == syncplan.ActionCopy {
			out = append(out, c)
		}
	}
	return out
}

// Message words the finding for people: what the column looks like, the
// evidence, and the transformer to use instead.
func (c PIIColumn) Message() string {
	mapped := "is mapped to passthrough"
	if c.Unmapped {
		mapped = "has no mapping"
	}
	return fmt.Sprintf("personal data copied unchanged: %s.%s looks like %s (%s, confidence %.2f) and %s; suggested transformer %s",
		c.Table, c.Column, c.Kind, c.evidence(), c.Confidence, mapped, c.Suggestion.Source)
}

// evidence words the finding's evidence.
func (c PIIColumn) evidence() string {
	if c.Evidence.NonNull > 0 {
		return fmt.Sprintf("%d of %d sampled values", c.Evidence.Matched, c.Evidence.NonNull)
	}
	return "by its name"
}

// Incomplete words, for people, which tables were not checked ("" when the
// check is complete).
func (c *PIICheck) Incomplete() string {
	var msg string
	if c.NotReached > 0 {
		msg = fmt.Sprintf("personal data check stopped after %s: %d tables with columns copied unchanged from %s on were not checked",
			time.Duration(c.BudgetSeconds*float64(time.Second)), c.NotReached, c.FirstNotReached)
	}
	if n := len(c.Failed); n > 0 {
		if msg != "" {
			msg += "; "
		}
		msg += fmt.Sprintf("%d tables with columns copied unchanged could not be checked for personal data (%s: %s)", n, c.Failed[0].Table, c.Failed[0].Reason)
	}
	if msg != "" {
		msg += "; neosync connections scan checks every table"
	}
	return msg
}

// sourceInspector is the inspector of a source database.
func sourceInspector(db *sqlconnect.DB) sqlschema.Inspector {
	if db.Driver == sqlconnect.DriverMySQL {
		return sqlschema.NewMySQLInspector(db.MySQL)
	}
	return sqlschema.NewPostgresInspector(db.Postgres)
}
