package server_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/structpb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

func syncSource(connID string) *mgmt.JobSource {
	return &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: connID}}}
}

func mapping(schema, table, column, source string) *mgmt.JobMapping {
	return &mgmt.JobMapping{Schema: schema, Table: table, Column: column, Transformer: &mgmt.JobMappingTransformer{Source: source}}
}

func TestJobs(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	srcURL := testdb.Postgres(t, "neosync_jobsrc")
	execPG(t, srcURL, apitest.PostgresFixture)
	src := createConnection(t, c, accountID, "source", pgConfig(srcURL))
	dst1 := createConnection(t, c, accountID, "dest-1", pgConfig(testdb.Postgres(t, "neosync_jobdst")))
	dst2 := createConnection(t, c, accountID, "dest-2", pgConfig(testdb.Postgres(t, "neosync_jobdst")))

	cfg, _ := structpb.NewStruct(map[string]any{"preserve_domain": true})
	create := &mgmt.CreateJobRequest{
		AccountId: accountID, JobName: "nightly-anonymize", Source: syncSource(src.GetId()),
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst1.GetId(), Options: &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true, TruncateCascade: true, BatchSize: 500}}},
		Mappings: []*mgmt.JobMapping{
			mapping("shop", "regions", "country", "passthrough"),
			{Schema: "shop", Table: "stores", Column: "email", Transformer: &mgmt.JobMappingTransformer{Source: "transform_email", Config: cfg}},
			mapping("shop", "employees", "name", "passthrough"),
		},
		CronSchedule:       ptr("0 3 * * *"),
		VirtualForeignKeys: []*mgmt.VirtualForeignConstraint{{Schema: "shop", Table: "employees", Columns: []string{"name"}, ReferencedSchema: "shop", ReferencedTable: "regions", ReferencedColumns: []string{"name"}}},
		SyncOptions:        &mgmt.ActivityOptions{HeartbeatTimeoutSeconds: ptr(int64(60)), MaxAttempts: ptr(int32(3))},
	}
	created, err := c.Jobs.CreateJob(ctx, connect.NewRequest(create))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	job := created.Msg.GetJob()
	if job.GetType() != mgmt.JobType_JOB_TYPE_SYNC || job.GetCronSchedule() != "0 3 * * *" || len(job.GetDestinations()) != 1 ||
		len(job.GetMappings()) != 3 || job.GetMappings()[1].GetTransformer().GetConfig().GetFields()["preserve_domain"].GetBoolValue() != true ||
		job.GetSyncOptions().GetMaxAttempts() != 3 || len(job.GetVirtualForeignKeys()) != 1 || !job.GetDestinations()[0].GetOptions().GetTruncateCascade() {
		t.Fatalf("created job does not round-trip: %v", job)
	}
	if o := job.GetDestinations()[0].GetOptions(); o.GetBatchSize() != 500 {
		t.Fatalf("destination options do not round-trip: %v", o)
	}

	// Validation errors name the field.
	bad := map[string]func(r *mgmt.CreateJobRequest){
		"job_name":                      func(r *mgmt.CreateJobRequest) { r.JobName = "bad name!" },
		"cron_schedule":                 func(r *mgmt.CreateJobRequest) { r.CronSchedule = ptr("every tuesday") },
		"destinations":                  func(r *mgmt.CreateJobRequest) { r.Destinations = nil },
		"source":                        func(r *mgmt.CreateJobRequest) { r.Source = nil },
		"destinations[0].connection_id": func(r *mgmt.CreateJobRequest) { r.Destinations[0].ConnectionId = src.GetId() },
		"destinations[0].options.on_conflict": func(r *mgmt.CreateJobRequest) {
			r.Destinations[0].Options = &mgmt.JobDestinationOptions{OnConflict: "explode"}
		},
		"destinations[0].options.batch_size": func(r *mgmt.CreateJobRequest) {
			r.Destinations[0].Options = &mgmt.JobDestinationOptions{BatchSize: -1}
		},
		"mappings[1]":                    func(r *mgmt.CreateJobRequest) { r.Mappings = append(r.Mappings, r.Mappings[0]) },
		"mappings[0].transformer.source": func(r *mgmt.CreateJobRequest) { r.Mappings[0].Transformer.Source = "" },
		"source.sync.subsets[0].where_clause": func(r *mgmt.CreateJobRequest) {
			r.Source = &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: src.GetId(), Subsets: []*mgmt.JobSourceSubset{{Schema: "shop", Table: "stores", WhereClause: " "}}}}}
		},
	}
	for field, mutate := range bad {
		r := &mgmt.CreateJobRequest{
			AccountId: accountID, JobName: "other", Source: syncSource(src.GetId()),
			Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst1.GetId()}},
			Mappings:     []*mgmt.JobMapping{mapping("shop", "regions", "country", "passthrough")},
		}
		mutate(r)
		_, err := c.Jobs.CreateJob(ctx, connect.NewRequest(r))
		wantCode(t, field, err, connect.CodeInvalidArgument)
		if !strings.Contains(err.Error(), field) {
			t.Errorf("%s: message %q does not name the field", field, err)
		}
	}
	_, err = c.Jobs.CreateJob(ctx, connect.NewRequest(create))
	wantCode(t, "duplicate job", err, connect.CodeAlreadyExists)
	unknown := &mgmt.CreateJobRequest{AccountId: accountID, JobName: "ghost", Source: syncSource("00000000-0000-4000-8000-000000000001"), Destinations: create.Destinations}
	_, err = c.Jobs.CreateJob(ctx, connect.NewRequest(unknown))
	wantCode(t, "unknown source", err, connect.CodeNotFound)
	runNow := &mgmt.CreateJobRequest{AccountId: accountID, JobName: "run-now", Source: syncSource(src.GetId()), Destinations: create.Destinations, InitiateJobRun: true}
	runNowJob, err := c.Jobs.CreateJob(ctx, connect.NewRequest(runNow))
	if err != nil {
		t.Fatalf("CreateJob with initiate_job_run: %v", err)
	}
	runs, err := c.Jobs.GetJobRuns(ctx, connect.NewRequest(&mgmt.GetJobRunsRequest{Id: &mgmt.GetJobRunsRequest_JobId{JobId: runNowJob.Msg.GetJob().GetId()}}))
	if err != nil || len(runs.Msg.GetJobRuns()) != 1 {
		t.Fatalf("initiate_job_run started %v runs (%v), want 1", len(runs.Msg.GetJobRuns()), err)
	}
	_, err = c.Jobs.DeleteJob(ctx, connect.NewRequest(&mgmt.DeleteJobRequest{Id: runNowJob.Msg.GetJob().GetId()}))
	wantCode(t, "delete a job with an active run", err, connect.CodeFailedPrecondition)
	if _, err := c.Jobs.TerminateJobRun(ctx, connect.NewRequest(&mgmt.TerminateJobRunRequest{JobRunId: runs.Msg.GetJobRuns()[0].GetId()})); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Jobs.DeleteJob(ctx, connect.NewRequest(&mgmt.DeleteJobRequest{Id: runNowJob.Msg.GetJob().GetId()})); err != nil {
		t.Fatalf("delete after terminate: %v", err)
	}

	// The engine refuses a job whose virtual foreign key points at a table
	// the job does not copy, so saving one is refused with the same reason.
	_, err = c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: accountID, JobName: "vfk-outside", Source: syncSource(src.GetId()), Destinations: create.Destinations,
		Mappings: create.Mappings[:2], VirtualForeignKeys: create.VirtualForeignKeys,
	}))
	wantCode(t, "job the engine refuses", err, connect.CodeInvalidArgument)
	if !strings.Contains(err.Error(), "mappings: virtual foreign key 1: table shop.employees is not copied") {
		t.Errorf("create error %q does not explain the problem", err)
	}

	// Reads.
	got, err := c.Jobs.GetJob(ctx, connect.NewRequest(&mgmt.GetJobRequest{Id: job.GetId()}))
	if err != nil || got.Msg.GetJob().GetName() != "nightly-anonymize" {
		t.Fatalf("GetJob = %v, %v", got, err)
	}
	list, err := c.Jobs.GetJobs(ctx, connect.NewRequest(&mgmt.GetJobsRequest{AccountId: accountID}))
	if err != nil || len(list.Msg.GetJobs()) != 1 || len(list.Msg.GetJobs()[0].GetDestinations()) != 1 {
		t.Fatalf("GetJobs = %v, %v", list, err)
	}
	avail, err := c.Jobs.IsJobNameAvailable(ctx, connect.NewRequest(&mgmt.IsJobNameAvailableRequest{AccountId: accountID, Name: "nightly-anonymize"}))
	if err != nil || avail.Msg.GetIsAvailable() {
		t.Fatalf("IsJobNameAvailable = %v, %v", avail, err)
	}

	// Updates.
	sched, err := c.Jobs.UpdateJobSchedule(ctx, connect.NewRequest(&mgmt.UpdateJobScheduleRequest{Id: job.GetId(), CronSchedule: ptr("@hourly")}))
	if err != nil || sched.Msg.GetJob().GetCronSchedule() != "@hourly" {
		t.Fatalf("UpdateJobSchedule = %v, %v", sched, err)
	}
	_, err = c.Jobs.UpdateJobSchedule(ctx, connect.NewRequest(&mgmt.UpdateJobScheduleRequest{Id: job.GetId(), CronSchedule: ptr("61 * * * *")}))
	wantCode(t, "bad cron", err, connect.CodeInvalidArgument)
	cleared, err := c.Jobs.UpdateJobSchedule(ctx, connect.NewRequest(&mgmt.UpdateJobScheduleRequest{Id: job.GetId()}))
	if err != nil || cleared.Msg.GetJob().CronSchedule != nil {
		t.Fatalf("clear schedule = %v, %v", cleared, err)
	}
	subs, err := c.Jobs.SetJobSourceSqlConnectionSubsets(ctx, connect.NewRequest(&mgmt.SetJobSourceSqlConnectionSubsetsRequest{
		Id: job.GetId(), SubsetByForeignKeyConstraints: true, Subsets: []*mgmt.JobSourceSubset{{Schema: "shop", Table: "stores", WhereClause: "region_country = 'US'"}},
	}))
	if err != nil || !subs.Msg.GetJob().GetSource().GetSync().GetSubsetByForeignKeyConstraints() || len(subs.Msg.GetJob().GetSource().GetSync().GetSubsets()) != 1 {
		t.Fatalf("SetJobSourceSqlConnectionSubsets = %v, %v", subs, err)
	}
	srcUpd, err := c.Jobs.UpdateJobSourceConnection(ctx, connect.NewRequest(&mgmt.UpdateJobSourceConnectionRequest{
		Id: job.GetId(), Source: syncSource(src.GetId()), Mappings: []*mgmt.JobMapping{mapping("shop", "employees", "name", "generate_full_name")},
	}))
	if err != nil || len(srcUpd.Msg.GetJob().GetMappings()) != 1 || srcUpd.Msg.GetJob().GetMappings()[0].GetTransformer().GetSource() != "generate_full_name" {
		t.Fatalf("UpdateJobSourceConnection = %v, %v", srcUpd, err)
	}
	plan, err := c.Jobs.GetJobPlan(ctx, connect.NewRequest(&mgmt.GetJobPlanRequest{Id: job.GetId()}))
	if err != nil {
		t.Fatalf("GetJobPlan: %v", err)
	}
	if !strings.Contains(plan.Msg.GetText(), "shop.employees") || !strings.Contains(plan.Msg.GetText(), "generate_full_name") || plan.Msg.GetPlan() == nil {
		t.Fatalf("plan text:\n%s", plan.Msg.GetText())
	}
	wf, err := c.Jobs.SetJobWorkflowOptions(ctx, connect.NewRequest(&mgmt.SetJobWorkflowOptionsRequest{Id: job.GetId(), WorkflowOptions: &mgmt.WorkflowOptions{RunTimeoutSeconds: ptr(int64(3600))}}))
	if err != nil || wf.Msg.GetJob().GetWorkflowOptions().GetRunTimeoutSeconds() != 3600 {
		t.Fatalf("SetJobWorkflowOptions = %v, %v", wf, err)
	}
	act, err := c.Jobs.SetJobSyncOptions(ctx, connect.NewRequest(&mgmt.SetJobSyncOptionsRequest{Id: job.GetId(), SyncOptions: &mgmt.ActivityOptions{StartToCloseTimeoutSeconds: ptr(int64(600))}}))
	if err != nil || act.Msg.GetJob().GetSyncOptions().GetStartToCloseTimeoutSeconds() != 600 {
		t.Fatalf("SetJobSyncOptions = %v, %v", act, err)
	}

	// Destinations.
	added, err := c.Jobs.CreateJobDestinationConnections(ctx, connect.NewRequest(&mgmt.CreateJobDestinationConnectionsRequest{JobId: job.GetId(), Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst2.GetId()}}}))
	if err != nil || len(added.Msg.GetDestinations()) != 1 {
		t.Fatalf("CreateJobDestinationConnections = %v, %v", added, err)
	}
	_, err = c.Jobs.CreateJobDestinationConnections(ctx, connect.NewRequest(&mgmt.CreateJobDestinationConnectionsRequest{JobId: job.GetId(), Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst2.GetId()}}}))
	wantCode(t, "same destination twice", err, connect.CodeInvalidArgument)
	newDest := added.Msg.GetDestinations()[0].GetId()
	updDest, err := c.Jobs.UpdateJobDestinationConnection(ctx, connect.NewRequest(&mgmt.UpdateJobDestinationConnectionRequest{
		JobId: job.GetId(), DestinationId: newDest, ConnectionId: dst2.GetId(), Options: &mgmt.JobDestinationOptions{OnConflict: "do_nothing"},
	}))
	if err != nil || len(updDest.Msg.GetJob().GetDestinations()) != 2 {
		t.Fatalf("UpdateJobDestinationConnection = %v, %v", updDest, err)
	}
	if _, err := c.Jobs.DeleteJobDestinationConnection(ctx, connect.NewRequest(&mgmt.DeleteJobDestinationConnectionRequest{JobId: job.GetId(), DestinationId: newDest})); err != nil {
		t.Fatalf("DeleteJobDestinationConnection: %v", err)
	}
	_, err = c.Jobs.DeleteJobDestinationConnection(ctx, connect.NewRequest(&mgmt.DeleteJobDestinationConnectionRequest{JobId: job.GetId(), DestinationId: job.GetDestinations()[0].GetId()}))
	wantCode(t, "last destination", err, connect.CodeFailedPrecondition)

	// A connection in use cannot be deleted.
	_, err = c.Connections.DeleteConnection(ctx, connect.NewRequest(&mgmt.DeleteConnectionRequest{Id: src.GetId()}))
	wantCode(t, "delete used connection", err, connect.CodeFailedPrecondition)
	if !strings.Contains(err.Error(), "nightly-anonymize") {
		t.Errorf("in-use error %q does not name the job", err)
	}

	if _, err := c.Jobs.DeleteJob(ctx, connect.NewRequest(&mgmt.DeleteJobRequest{Id: job.GetId()})); err != nil {
		t.Fatalf("DeleteJob: %v", err)
	}
	_, err = c.Jobs.GetJob(ctx, connect.NewRequest(&mgmt.GetJobRequest{Id: job.GetId()}))
	wantCode(t, "deleted job", err, connect.CodeNotFound)
	if _, err := c.Connections.DeleteConnection(ctx, connect.NewRequest(&mgmt.DeleteConnectionRequest{Id: src.GetId()})); err != nil {
		t.Fatalf("delete connection once unused: %v", err)
	}
}

func TestValidateJobMappings(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	srcURL := testdb.Postgres(t, "neosync_validate")
	execPG(t, srcURL, apitest.PostgresFixture+`
CREATE TABLE shop.x (id int PRIMARY KEY, y_id int NOT NULL);
CREATE TABLE shop.y (id int PRIMARY KEY, x_id int NOT NULL REFERENCES shop.x (id));
ALTER TABLE shop.x ADD FOREIGN KEY (y_id) REFERENCES shop.y (id);`)
	src := createConnection(t, c, accountID, "source", pgConfig(srcURL))

	resp, err := c.Jobs.ValidateJobMappings(ctx, connect.NewRequest(&mgmt.ValidateJobMappingsRequest{
		AccountId: accountID, ConnectionId: src.GetId(),
		Mappings: []*mgmt.JobMapping{
			mapping("shop", "regions", "country", "passthrough"),
			mapping("shop", "regions", "code", "passthrough"),
			mapping("shop", "regions", "nope", "passthrough"), // unknown column
			mapping("shop", "employees", "id", "passthrough"), // name (NOT NULL) left unmapped
			mapping("shop", "a", "id", "passthrough"),         // breakable cycle a→b→c→a
			mapping("shop", "a", "b_id", "passthrough"),
			mapping("shop", "b", "id", "passthrough"),
			mapping("shop", "b", "c_id", "passthrough"),
			mapping("shop", "c", "id", "passthrough"),
			mapping("shop", "x", "id", "passthrough"), // unbreakable cycle x↔y
			mapping("shop", "x", "y_id", "passthrough"),
			mapping("shop", "y", "id", "passthrough"),
			mapping("shop", "y", "x_id", "passthrough"),
			mapping("shop", "ghost", "id", "passthrough"), // unknown table
		},
	}))
	if err != nil {
		t.Fatalf("ValidateJobMappings: %v", err)
	}
	errs := map[string]string{}
	for _, ce := range resp.Msg.GetColumnErrors() {
		errs[ce.GetTable()+"."+ce.GetColumn()] = strings.Join(ce.GetErrors(), "; ")
	}
	want := map[string]string{
		"regions.nope": "mapping for shop.regions.nope: no such column in the source",
		"ghost.id":     "mapping for shop.ghost: no such table in the source",
	}
	for k, part := range want {
		if !strings.Contains(errs[k], part) {
			t.Errorf("column error for %s = %q, want it to contain %q (all: %v)", k, errs[k], part, errs)
		}
	}
	if len(errs) != len(want) {
		t.Errorf("column errors = %v, want exactly %v", errs, want)
	}
	// Unmapped columns are copied unchanged by every run: a warning, in place.
	warns := map[string]string{}
	for _, cw := range resp.Msg.GetColumnWarnings() {
		warns[cw.GetTable()+"."+cw.GetColumn()] = strings.Join(cw.GetErrors(), "; ")
	}
	for _, k := range []string{"regions.name", "employees.name"} {
		if !strings.Contains(warns[k], "has no mapping: it is copied unchanged") {
			t.Errorf("column warning for %s = %q, want the unmapped column named (all: %v)", k, warns[k], warns)
		}
	}
	dbErrs := resp.Msg.GetDatabaseErrors().GetErrors()
	if len(dbErrs) != 1 || !strings.Contains(dbErrs[0], "shop.x") || !strings.Contains(dbErrs[0], "shop.y") {
		t.Errorf("database errors = %v, want one unbreakable cycle x ↔ y", dbErrs)
	}
	if slices.ContainsFunc(dbErrs, func(e string) bool { return strings.Contains(e, "shop.a") }) {
		t.Errorf("breakable cycle a→b→c reported: %v", dbErrs)
	}
}

// TestValidateJobMappingsRefusesWhatTheEngineRefuses checks, on a
// PostgreSQL and a MariaDB source, that ValidateJobMappings reports what
// every run's plan refuses — a NOT NULL column mapped to generate_null, a
// text transformer on an integer key, transform_uuid on a binary(16) key,
// a bad transformer parameter — and warns of a unique column under a
// transformer that may repeat values; and that CreateJob refuses the same
// mappings, naming them, while the corrected job saves.
func TestValidateJobMappingsRefusesWhatTheEngineRefuses(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	accountID := personalAccount(t, c)

	pgURL := testdb.Postgres(t, "neosync_validate_types")
	execPG(t, pgURL, `CREATE SCHEMA app;
CREATE TABLE app.users (id integer PRIMARY KEY, uid uuid, email text NOT NULL UNIQUE, nick text UNIQUE, note text);`)
	myURL, myDB := testdb.MySQL(t, "neosync_validate_types")
	if _, err := myDB.ExecContext(apitest.Ctx(t), `CREATE TABLE users (id binary(16) PRIMARY KEY, uid char(36), email varchar(255) NOT NULL UNIQUE, nick varchar(50) UNIQUE, note text)`); err != nil {
		t.Fatal(err)
	}
	// A job copies between databases of one kind: a destination of each.
	myDstURL, _ := testdb.MySQL(t, "neosync_validate_dst")
	dsts := map[string]*mgmt.Connection{
		"postgres": createConnection(t, c, accountID, "dest", pgConfig(testdb.Postgres(t, "neosync_validate_dst"))),
		"mariadb":  createConnection(t, c, accountID, "dest-mariadb", mysqlConfig(myDstURL)),
	}

	badConfig := &mgmt.JobMappingTransformer{Source: "transform_email", Config: mustStruct(t, map[string]any{"preserve_domain": "yes"})}
	for _, tc := range []struct {
		name, schema string
		cfg          *mgmt.ConnectionConfig
		key          string // the key's transformer
		keyErr       string // what the key's error says
	}{
		{"postgres", "app", pgConfig(pgURL), "transform_email",
			"column app.users.id is integer (integer values) but transform_email takes string values; transformers for integer columns: transform_identity_scramble, transform_int64"},
		{"mariadb", myURL[strings.LastIndex(myURL, "/")+1:], mysqlConfig(myURL), "transform_uuid",
			"users.id is binary(16) but transform_uuid works on UUIDs written as text (uuid, char(36))"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := apitest.Ctx(t)
			src := createConnection(t, c, accountID, "src-"+tc.name, tc.cfg)
			mappings := []*mgmt.JobMapping{
				mapping(tc.schema, "users", "id", tc.key),
				mapping(tc.schema, "users", "uid", "transform_uuid"),
				mapping(tc.schema, "users", "email", "generate_null"),
				mapping(tc.schema, "users", "nick", "transform_first_name"),
				{Schema: tc.schema, Table: "users", Column: "note", Transformer: badConfig},
			}
			resp, err := c.Jobs.ValidateJobMappings(ctx, connect.NewRequest(&mgmt.ValidateJobMappingsRequest{AccountId: accountID, ConnectionId: src.GetId(), Mappings: mappings}))
			if err != nil {
				t.Fatalf("ValidateJobMappings: %v", err)
			}
			errs := map[string]string{}
			for _, ce := range resp.Msg.GetColumnErrors() {
				errs[ce.GetColumn()] = strings.Join(ce.GetErrors(), "; ")
			}
			want := map[string]string{
				"id":    tc.keyErr,
				"email": "users.email is NOT NULL but mapped to generate_null, which writes NULL",
				"note":  "users.note: transformer transform_email: parameter preserve_domain: must be true or false",
			}
			for col, part := range want {
				if !strings.Contains(errs[col], part) {
					t.Errorf("error for %s = %q, want it to contain %q", col, errs[col], part)
				}
			}
			if len(errs) != len(want) {
				t.Errorf("column errors = %v, want exactly the columns %v", errs, slices.Collect(maps.Keys(want)))
			}
			warns := map[string]string{}
			for _, cw := range resp.Msg.GetColumnWarnings() {
				warns[cw.GetColumn()] = strings.Join(cw.GetErrors(), "; ")
			}
			if !strings.Contains(warns["nick"], "users.nick is unique but transform_first_name may map two values to one") || len(warns) != 1 {
				t.Errorf("column warnings = %v, want one on nick (unique, non-bijective transformer)", warns)
			}

			// Saving the job is refused: a bad parameter first, by its
			// field, as before the source is read…
			create := &mgmt.CreateJobRequest{
				AccountId: accountID, JobName: "refused-" + tc.name, Source: syncSource(src.GetId()),
				Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dsts[tc.name].GetId()}}, Mappings: mappings,
			}
			_, err = c.Jobs.CreateJob(ctx, connect.NewRequest(create))
			wantCode(t, "create", err, connect.CodeInvalidArgument)
			if !strings.Contains(err.Error(), "mappings[4].transformer.config.preserve_domain: must be true or false") {
				t.Errorf("create error %q does not name the bad parameter", err)
			}
			// …then every problem the source's schema shows, at once.
			create.Mappings = mappings[:4]
			_, err = c.Jobs.CreateJob(ctx, connect.NewRequest(create))
			wantCode(t, "create", err, connect.CodeInvalidArgument)
			for _, col := range []string{"id", "email"} {
				if !strings.Contains(err.Error(), want[col]) {
					t.Errorf("create error %q does not contain %q", err, want[col])
				}
			}
			// Corrected, it saves (the warning does not stop it).
			create.Mappings = []*mgmt.JobMapping{
				mapping(tc.schema, "users", "id", "passthrough"),
				mapping(tc.schema, "users", "uid", "transform_uuid"),
				mapping(tc.schema, "users", "email", "transform_email"),
				mapping(tc.schema, "users", "nick", "transform_first_name"),
				mapping(tc.schema, "users", "note", "generate_null"),
			}
			created, err := c.Jobs.CreateJob(ctx, connect.NewRequest(create))
			if err != nil {
				t.Fatalf("create corrected job: %v", err)
			}
			// Replacing its mappings with bad ones is refused too.
			_, err = c.Jobs.UpdateJobSourceConnection(ctx, connect.NewRequest(&mgmt.UpdateJobSourceConnectionRequest{
				Id: created.Msg.GetJob().GetId(), Source: syncSource(src.GetId()), Mappings: mappings[:4],
			}))
			wantCode(t, "update", err, connect.CodeInvalidArgument)
			if !strings.Contains(err.Error(), want["email"]) {
				t.Errorf("update error %q does not contain %q", err, want["email"])
			}
		})
	}
}

// TestValidateJobMappingsOfAGenerateJob: a generate job's mappings are
// checked with the generation planner's rules, under which the column
// default of a NOT NULL column without one is a generator chosen by its
// type, while a sync job may not leave such a column to its default.
func TestValidateJobMappingsOfAGenerateJob(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	srcURL := testdb.Postgres(t, "neosync_validate_generate")
	execPG(t, srcURL, `CREATE SCHEMA app; CREATE TABLE app.items (id int PRIMARY KEY, name text NOT NULL);`)
	src := createConnection(t, c, accountID, "schema", pgConfig(srcURL))
	req := &mgmt.ValidateJobMappingsRequest{AccountId: accountID, ConnectionId: src.GetId(), Mappings: []*mgmt.JobMapping{
		mapping("app", "items", "id", "generate_default"), mapping("app", "items", "name", "generate_default"),
	}}
	sync, err := c.Jobs.ValidateJobMappings(ctx, connect.NewRequest(req))
	if err != nil {
		t.Fatal(err)
	}
	if len(sync.Msg.GetColumnErrors()) != 2 || !strings.Contains(sync.Msg.GetColumnErrors()[0].GetErrors()[0], "is NOT NULL without a default but mapped to generate_default") {
		t.Errorf("sync column errors = %v, want both NOT NULL columns", sync.Msg.GetColumnErrors())
	}
	req.JobType = mgmt.JobType_JOB_TYPE_GENERATE
	gen, err := c.Jobs.ValidateJobMappings(ctx, connect.NewRequest(req))
	if err != nil {
		t.Fatal(err)
	}
	if len(gen.Msg.GetColumnErrors())+len(gen.Msg.GetDatabaseErrors().GetErrors()) != 0 {
		t.Errorf("generate job errors = %v %v, want none", gen.Msg.GetColumnErrors(), gen.Msg.GetDatabaseErrors().GetErrors())
	}
}
