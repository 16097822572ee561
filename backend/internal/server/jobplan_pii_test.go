package server_test

import (
	"strings"
	"testing"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/internal/domain/jobplan"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// TestJobPlanWarnsAboutPassthroughPII asks for the plan of a job that
// copies an email column (mapped to passthrough) and an SSN column (not
// mapped) unchanged and transforms the phone column: the plan warns about
// the first two, with the suggested transformer, and not about the third
// or the plain columns.
func TestJobPlanWarnsAboutPassthroughPII(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	srcURL, dstURL := testdb.Postgres(t, "neosync_piiplan_src"), testdb.Postgres(t, "neosync_piiplan_dst")
	execPG(t, srcURL, `CREATE TABLE users (id int PRIMARY KEY, email text, ssn text, phone text, plan text);
INSERT INTO users SELECT g, 'u' || g || '@example.com', '123-45-' || lpad(g::text, 4, '0'), '(415) 555-' || lpad(g::text, 4, '0'), 'basic' FROM generate_series(1, 30) g`)
	src := createConnection(t, c, accountID, "prod", pgConfig(srcURL))
	dst := createConnection(t, c, accountID, "staging", pgConfig(dstURL))
	created, err := c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: accountID, JobName: "forgot-some", Source: syncSource(src.GetId()),
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst.GetId()}},
		Mappings: []*mgmt.JobMapping{
			mapping("public", "users", "id", "passthrough"),
			mapping("public", "users", "email", "passthrough"),
			mapping("public", "users", "phone", "transform_character_scramble"),
			mapping("public", "users", "plan", "passthrough"),
		},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	plan, err := c.Jobs.GetJobPlan(ctx, connect.NewRequest(&mgmt.GetJobPlanRequest{Id: created.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatalf("GetJobPlan: %v", err)
	}
	var pii []string
	for _, w := range plan.Msg.GetWarnings() {
		if strings.HasPrefix(w, "personal data copied unchanged") {
			pii = append(pii, w)
		}
	}
	want := []string{
		"personal data copied unchanged: public.users.email looks like email (30 of 30 sampled values, confidence 0.99) and is mapped to passthrough; suggested transformer transform_email",
		"personal data copied unchanged: public.users.ssn looks like ssn (30 of 30 sampled values, confidence 0.99) and has no mapping; suggested transformer generate_ssn",
	}
	if strings.Join(pii, "\n") != strings.Join(want, "\n") {
		t.Errorf("PII warnings:\n%s\nwant:\n%s", strings.Join(pii, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(plan.Msg.GetText(), want[0]) {
		t.Errorf("plan text does not show the warning:\n%s", plan.Msg.GetText())
	}
}

// TestJobPlanPIICheckNeedsDataPermission: the plan's personal data check
// samples source rows, so a job viewer (who may read the job but not its
// connections' rows) gets a plan without it and one warning saying why,
// while a job developer of the same team gets the findings.
func TestJobPlanPIICheckNeedsDataPermission(t *testing.T) {
	t.Parallel()
	env := startOIDC(t)
	ctx := apitest.Ctx(t)
	alice := env.signIn(t, "alice")
	team := teamAccount(t, alice, "piiplan")
	viewer := env.signIn(t, "view")
	join(t, alice, viewer, team, "view", mgmt.AccountRole_ACCOUNT_ROLE_JOB_VIEWER)
	developer := env.signIn(t, "dev")
	join(t, alice, developer, team, "dev", mgmt.AccountRole_ACCOUNT_ROLE_JOB_DEVELOPER)

	srcURL, dstURL := testdb.Postgres(t, "neosync_piiperm_src"), testdb.Postgres(t, "neosync_piiperm_dst")
	execPG(t, srcURL, `CREATE TABLE users (id int PRIMARY KEY, email text);
INSERT INTO users SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 30) g`)
	src := createConnection(t, alice, team, "prod", pgConfig(srcURL))
	dst := createConnection(t, alice, team, "staging", pgConfig(dstURL))
	created, err := alice.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: team, JobName: "copies-emails", Source: syncSource(src.GetId()),
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst.GetId()}},
		Mappings: []*mgmt.JobMapping{
			mapping("public", "users", "id", "passthrough"),
			mapping("public", "users", "email", "passthrough"),
		},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	jobID := created.Msg.GetJob().GetId()
	const finding = "personal data copied unchanged: public.users.email looks like email"
	warnings := func(c apitest.Clients) string {
		plan, err := c.Jobs.GetJobPlan(ctx, connect.NewRequest(&mgmt.GetJobPlanRequest{Id: jobID}))
		if err != nil {
			t.Fatalf("GetJobPlan: %v", err)
		}
		return strings.Join(plan.Msg.GetWarnings(), "\n") + "\n" + plan.Msg.GetText()
	}
	if got := warnings(developer); !strings.Contains(got, finding) || strings.Contains(got, jobplan.PIICheckNeedsDataRead) {
		t.Errorf("developer's plan: want the finding %q and no refusal, got:\n%s", finding, got)
	}
	if got := warnings(viewer); strings.Contains(got, finding) || !strings.Contains(got, jobplan.PIICheckNeedsDataRead) {
		t.Errorf("viewer's plan: want %q and no finding from sampled rows, got:\n%s", jobplan.PIICheckNeedsDataRead, got)
	}
}
