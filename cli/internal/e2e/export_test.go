package e2e_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/apiclient"
)

// TestJobsExportRoundTrip builds a job through the API as the web app does
// (subsets, a user-defined transformer, virtual foreign keys, options on
// every level), exports it, and checks the file: applying it is no change,
// and applied under a new name it creates an equal job.
func TestJobsExportRoundTrip(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	sfx := suffix()
	src, dst := newPostgres(t, "neosync_cli_exsrc"), newPostgres(t, "neosync_cli_exdst")
	pgExec(t, src, `CREATE TABLE public.users (id int PRIMARY KEY, email text NOT NULL, phone text);
		CREATE TABLE public.orders (id int PRIMARY KEY, user_id int, note text)`)
	c.ok("connections", "create", "--name", "exsrc-"+sfx, "--postgres-url", src)
	c.ok("connections", "create", "--name", "exdst-"+sfx, "--postgres-url", dst)
	c.ok("transformers", "create", "exmail-"+sfx, "--source", "transform_email", "--config", "preserve_domain=true")
	var srcConn, dstConn mgmtv1alpha1.Connection
	for conn, name := range map[*mgmtv1alpha1.Connection]string{&srcConn: "exsrc-" + sfx, &dstConn: "exdst-" + sfx} {
		if err := protojson.Unmarshal([]byte(c.ok("connections", "get", name, "-o", "json")), conn); err != nil {
			t.Fatal(err)
		}
	}
	var udt mgmtv1alpha1.UserDefinedTransformer
	if err := protojson.Unmarshal([]byte(c.ok("transformers", "get", "exmail-"+sfx, "-o", "json")), &udt); err != nil {
		t.Fatal(err)
	}

	api := apiclient.New(http.DefaultClient, local.apiURL, "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, _ := structpb.NewStruct(map[string]any{"preserve_length": false, "max": 12})
	warn, runTimeout, heartbeat, attempts := 0.2, int64(5400), int64(90), int32(4)
	cron := "15 4 * * 1-5"
	_, err := api.Jobs.CreateJob(ctx, connect.NewRequest(&mgmtv1alpha1.CreateJobRequest{
		AccountId: srcConn.GetAccountId(), JobName: "web-" + sfx, CronSchedule: &cron,
		Source: &mgmtv1alpha1.JobSource{Options: &mgmtv1alpha1.JobSource_Sync{Sync: &mgmtv1alpha1.SyncSourceOptions{
			ConnectionId: srcConn.GetId(), SubsetByForeignKeyConstraints: true, ConsistentPrf: mgmtv1alpha1.ConsistentPrf_CONSISTENT_PRF_V2,
			Subsets:    []*mgmtv1alpha1.JobSourceSubset{{Schema: "public", Table: "users", WhereClause: "id % 2 = 0"}},
			LeakPolicy: &mgmtv1alpha1.LeakPolicy{WarnRate: &warn}, RangeRows: proto.Int64(250000),
		}}},
		Destinations: []*mgmtv1alpha1.JobDestinationCreate{{ConnectionId: dstConn.GetId(), Options: &mgmtv1alpha1.JobDestinationOptions{
			InitTableSchema: true, TruncateBeforeInsert: true, TruncateCascade: true, BatchSize: 500}}},
		Mappings: []*mgmtv1alpha1.JobMapping{
			{Schema: "public", Table: "users", Column: "email", Transformer: &mgmtv1alpha1.JobMappingTransformer{Source: udt.GetSource(), UserDefinedTransformerId: proto.String(udt.GetId())}},
			{Schema: "public", Table: "orders", Column: "note", Transformer: &mgmtv1alpha1.JobMappingTransformer{Source: "transform_string", Config: cfg}},
			{Schema: "public", Table: "users", Column: "phone", Transformer: &mgmtv1alpha1.JobMappingTransformer{Source: "generate_null"}},
		},
		VirtualForeignKeys: []*mgmtv1alpha1.VirtualForeignConstraint{{Schema: "public", Table: "orders", Columns: []string{"user_id"},
			ReferencedSchema: "public", ReferencedTable: "users", ReferencedColumns: []string{"id"}}},
		WorkflowOptions: &mgmtv1alpha1.WorkflowOptions{RunTimeoutSeconds: &runTimeout},
		SyncOptions:     &mgmtv1alpha1.ActivityOptions{HeartbeatTimeoutSeconds: &heartbeat, MaxAttempts: &attempts},
	}))
	if err != nil {
		t.Fatal(err)
	}

	exported := c.ok("jobs", "export", "web-"+sfx)
	for _, want := range []string{"connection: exsrc-" + sfx, "user_defined: exmail-" + sfx, "consistent_prf: v2", "run_timeout: 1h30m",
		"heartbeat_timeout: 1m30s", "schedule: 15 4 * * 1-5", "phone: generate_null", "warn_rate: 0.2", "where: id % 2 = 0", "range_rows: 250000"} {
		if !strings.Contains(exported, want) {
			t.Fatalf("export lacks %q:\n%s", want, exported)
		}
	}
	if strings.Contains(exported, srcConn.GetId()) || strings.Contains(exported, udt.GetId()) {
		t.Fatalf("export holds ids rather than names:\n%s", exported)
	}
	if viaGet := c.ok("jobs", "get", "web-"+sfx, "-o", "apply"); viaGet != exported {
		t.Fatalf("jobs get -o apply differs from jobs export:\n%s\n---\n%s", viaGet, exported)
	}

	file := c.writeFile("web.yaml", exported)
	if out := c.ok("apply", "-f", file, "--dry-run"); out != "No changes: 1 job is up to date.\n" {
		t.Fatalf("apply --dry-run of the export:\n%s", out)
	}

	c.writeFile("copy.yaml", strings.Replace(exported, "name: web-"+sfx, "name: copy-"+sfx, 1))
	if out := c.ok("apply", "-f", c.dir+"/copy.yaml"); !strings.Contains(out, "+ job copy-"+sfx+": created") {
		t.Fatalf("apply of the renamed export:\n%s", out)
	}
	var orig, copied mgmtv1alpha1.Job
	for j, name := range map[*mgmtv1alpha1.Job]string{&orig: "web-" + sfx, &copied: "copy-" + sfx} {
		if err := protojson.Unmarshal([]byte(c.ok("jobs", "get", name, "-o", "json")), j); err != nil {
			t.Fatal(err)
		}
		j.Id, j.Name, j.CreatedAt, j.UpdatedAt, j.TransformerKey = "", "", nil, nil, nil
		for _, d := range j.Destinations {
			d.Id = ""
		}
		slices.SortFunc(j.Mappings, func(a, b *mgmtv1alpha1.JobMapping) int {
			return strings.Compare(a.GetTable()+"."+a.GetColumn(), b.GetTable()+"."+b.GetColumn())
		})
	}
	if !proto.Equal(&orig, &copied) {
		t.Fatalf("the job applied from the export differs:\noriginal %v\ncopy     %v", &orig, &copied)
	}
	if out := c.ok("jobs", "export", "copy-"+sfx); strings.Replace(out, "copy-"+sfx, "web-"+sfx, -1) != exported {
		t.Fatalf("export of the copy differs:\n%s", out)
	}
	c.fail(`no job named "nope-`, "jobs", "export", "nope-"+sfx)
}
