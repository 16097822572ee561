package sqlsync

import (
	"context"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// piiJob maps contacts(id, email, phone, note) with the email copied by
// passthrough, the note transformed and the phone left without a mapping
// (a column added since the job was saved): the report must warn about
// the email and the phone, not about the id or the note.
func piiJob(schema string, src, dst sqlconnect.Config, o syncplan.DestinationOptions) syncplan.Job {
	m := func(column, source string) syncplan.Mapping {
		return syncplan.Mapping{Schema: schema, Table: "contacts", Column: column, Transformer: syncplan.Transformer{Source: source}}
	}
	o.InitSchema, o.Truncate = true, true
	return syncplan.Job{Source: src, Mappings: []syncplan.Mapping{m("id", "passthrough"), m("email", "passthrough"), m("note", "transform_string")},
		Destinations: []syncplan.Destination{{Name: "dst", Conn: dst, Options: o}}}
}

// checkPIIReport runs job and checks the report's personal data findings.
func checkPIIReport(t *testing.T, job syncplan.Job) {
	t.Helper()
	_, res, err := newTestEngine().Run(testCtx(t), job, nil)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	rep := res[0].Report
	if rep.PII == nil || rep.PII.Checked != 1 || !rep.PII.Complete() {
		t.Fatalf("personal data check = %+v, want one table checked completely", rep.PII)
	}
	got := map[string]string{}
	for _, c := range rep.PII.Columns {
		got[c.Column] = string(c.Kind)
	}
	if len(got) != 2 || got["email"] != "email" || got["phone"] != "phone" {
		t.Errorf("personal data copied unchanged = %v, want email and phone", got)
	}
	if rep.Status() != leakscan.StatusWarn {
		t.Errorf("status %s, want WARN:\n%s", rep.Status(), rep)
	}
	var pii []Finding
	for _, f := range rep.Findings() {
		if f.Kind == "pii" {
			pii = append(pii, f)
		}
	}
	if len(pii) != 2 || pii[0].Status != leakscan.StatusWarn || pii[0].Column != "email" ||
		!strings.Contains(pii[0].Message, "contacts.email looks like email (40 of 40 sampled values") || !strings.Contains(pii[0].Message, "mapped to passthrough; suggested transformer transform_email") ||
		!strings.Contains(pii[1].Message, "contacts.phone looks like phone") || !strings.Contains(pii[1].Message, "has no mapping") {
		t.Errorf("pii findings = %+v", pii)
	}
	if s := rep.String(); !strings.HasPrefix(s, "Verification of dst: WARN\n") || !strings.Contains(s, "  WARN  personal data copied unchanged: ") {
		t.Errorf("report text does not lead with the warning:\n%s", s)
	}
	t.Logf("\n%s", rep)
}

// TestPassthroughPIIReportPostgres: the report of a sync warns about every
// column copied unchanged that holds personal data (PostgreSQL).
func TestPassthroughPIIReportPostgres(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	src.exec(t, `CREATE TABLE contacts (id bigint PRIMARY KEY, email text NOT NULL, phone text, note text)`,
		`INSERT INTO contacts SELECT g, 'person' || g || '@example.org', '+1 415 555 ' || lpad(g::text, 4, '0'), 'note ' || g FROM generate_series(1, 40) g`)
	checkPIIReport(t, piiJob("public", src.cfg, dst.cfg, syncplan.DestinationOptions{}))
}

// TestPassthroughPIIReportMySQL is the same on MySQL/MariaDB.
func TestPassthroughPIIReportMySQL(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	src.exec(t, "CREATE TABLE contacts (id bigint PRIMARY KEY, email varchar(100) NOT NULL, phone varchar(40), note text)",
		`INSERT INTO contacts SELECT seq, CONCAT('person', seq, '@example.org'), CONCAT('+1 415 555 ', LPAD(seq, 4, '0')), CONCAT('note ', seq) FROM seq_1_to_40`)
	checkPIIReport(t, piiJob(src.name, src.cfg, dst.cfg, syncplan.DestinationOptions{SchemaMap: map[string]string{src.name: dst.name}}))
}

// TestPassthroughPIICheckIncomplete: tables the check does not reach within
// its budget, or cannot read, are counted and make the report WARN; tables
// with nothing copied unchanged are not read at all.
func TestPassthroughPIICheckIncomplete(t *testing.T) {
	t.Parallel()
	src := newPGDB(t)
	src.exec(t, `CREATE TABLE a (id int, email text)`, `CREATE TABLE b (id int)`, `CREATE TABLE c (id int)`)
	tn := func(n string) sqlschema.TableName { return sqlschema.TableName{Schema: "public", Table: n} }
	col := func(n string, a syncplan.Action) syncplan.Column {
		return syncplan.Column{Column: sqlschema.Column{Name: n, DataType: "text"}, Action: a}
	}
	plan := &syncplan.Plan{Tables: []syncplan.Table{
		{Name: tn("a"), Columns: []syncplan.Column{col("id", syncplan.ActionCopy), col("email", syncplan.ActionCopy)}},
		{Name: tn("b"), Columns: []syncplan.Column{col("id", syncplan.ActionCopy)}},
		{Name: tn("gone"), Columns: []syncplan.Column{col("id", syncplan.ActionCopy)}},
		{Name: tn("c"), Columns: []syncplan.Column{col("id", syncplan.ActionOmit)}},
	}}
	insp := sqlschema.NewPostgresInspector(src.db.Postgres)

	check := CheckPassthroughPII(testCtx(t), insp, plan, 0)
	if check.Checked != 0 || check.NotReached != 3 || *check.FirstNotReached != tn("a") || check.Complete() {
		t.Errorf("check with no time = %+v, want the 3 tables with columns copied unchanged not reached", check)
	}
	if msg := check.Incomplete(); msg != "personal data check stopped after 0s: 3 tables with columns copied unchanged from public.a on were not checked; neosync connections scan checks every table" {
		t.Errorf("Incomplete() = %q", msg)
	}
	r := &Report{Destination: "d", PII: &check}
	if r.Status() != leakscan.StatusWarn {
		t.Errorf("an incomplete check leaves the report %s, want WARN", r.Status())
	}

	check = CheckPassthroughPII(testCtx(t), insp, plan, DefaultPIIBudget)
	if check.Checked != 2 || check.NotReached != 0 || len(check.Failed) != 1 || check.Failed[0].Table != tn("gone") {
		t.Errorf("check = %+v, want a and b checked and gone failed", check)
	}
	if msg := check.Incomplete(); !strings.HasPrefix(msg, "1 tables with columns copied unchanged could not be checked for personal data (public.gone: ") {
		t.Errorf("Incomplete() = %q", msg)
	}

	ctx, cancel := context.WithCancel(testCtx(t))
	cancel()
	if check := CheckPassthroughPII(ctx, insp, plan, DefaultPIIBudget); check.NotReached != 3 || len(check.Failed) != 0 {
		t.Errorf("check under a canceled context = %+v, want every table not reached", check)
	}
}
