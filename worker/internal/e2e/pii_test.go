package e2e_test

import (
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// TestRunReportWarnsAboutPassthroughPII runs a job that copies an email
// column and a column of SSNs unchanged through the API, Temporal and the
// worker: the run record's report must say WARN and name both columns
// (kind, evidence, suggested transformer) — first among its findings —
// while the transformed and non-personal columns raise nothing.
func TestRunReportWarnsAboutPassthroughPII(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.startWorker(t)
	ctx := testCtx(t, 5*time.Minute)
	src := newDatabase(t, "neosync_e2e_piisrc")
	execSQL(t, src, `
CREATE TABLE patients (id bigint PRIMARY KEY, email text NOT NULL, ssn text, full_name text NOT NULL, ward int NOT NULL);
INSERT INTO patients SELECT g, 'patient' || g || '@hospital.example', lpad((100 + g % 500)::text, 3, '0') || '-' || lpad((10 + g % 80)::text, 2, '0') || '-' || lpad((1000 + g)::text, 4, '0'),
  'Patient ' || g, g % 12 FROM generate_series(1, 600) g;`)
	dst := newDatabase(t, "neosync_e2e_piidst")
	job, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "e2e-pii",
		Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "piisrc", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, "piidst", dst),
			Options: &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true}}},
		Mappings: []*mgmt.JobMapping{
			mapping("patients", "id", "passthrough", nil),
			mapping("patients", "email", "passthrough", nil),
			mapping("patients", "ssn", "passthrough", nil),
			mapping("patients", "full_name", "transform_full_name", nil),
			mapping("patients", "ward", "passthrough", nil),
		},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	run, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatalf("CreateJobRun: %v", err)
	}
	r := s.waitRun(t, run.Msg.GetJobRun().GetId(), 3*time.Minute, final)
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", r.GetStatus(), r.GetError())
	}
	rec := r.GetReport().AsMap()
	if rec["status"] != "WARN" {
		t.Fatalf("run report status %v, want WARN:\n%v", rec["status"], rec["summary"])
	}
	findings, _ := rec["findings"].([]any)
	pii := map[string]map[string]any{}
	for i, f := range findings {
		m := f.(map[string]any)
		if m["kind"] != "pii" {
			continue
		}
		if i >= 2 {
			t.Errorf("personal data finding %d is not among the first (worst first): %v", i, findings)
		}
		if m["status"] != "WARN" || m["destination"] != "piidst" {
			t.Errorf("finding %v: want WARN for destination piidst", m)
		}
		pii[m["column"].(string)] = m
	}
	if len(pii) != 2 {
		t.Fatalf("personal data findings for %d columns, want email and ssn: %v", len(pii), findings)
	}
	for col, want := range map[string][]string{
		"email": {"public.patients.email looks like email (100 of 100 sampled values", "mapped to passthrough; suggested transformer transform_email"},
		"ssn":   {"public.patients.ssn looks like ssn (100 of 100 sampled values", "suggested transformer"},
	} {
		msg, _ := pii[col]["message"].(string)
		for _, w := range want {
			if !strings.Contains(msg, w) {
				t.Errorf("finding for %s lacks %q: %q", col, w, msg)
			}
		}
	}
	// The destination's report keeps the check itself: one table sampled,
	// both columns with their evidence, no sampled value.
	dests, _ := rec["destinations"].([]any)
	check, _ := dests[0].(map[string]any)["pii"].(map[string]any)
	cols, _ := check["columns"].([]any)
	if check["checked"] != float64(1) || len(cols) != 2 {
		t.Errorf("report's personal data check: %v", check)
	}
	summary, _ := rec["summary"].(string)
	if !strings.HasPrefix(summary, "Verification of piidst: WARN\n  WARN  personal data copied unchanged: ") || strings.Contains(summary, "patient1@hospital.example") {
		t.Errorf("summary:\n%s", summary)
	}
}
