package server_test

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// bIDs are the ids of account B's resources that account A probes.
type bIDs struct {
	account, conn, conn2, job, dest, key, transformer string
}

// TestTenantIsolation calls every RPC that takes an id with another
// account's ids and with random ids: both must answer NotFound, and the
// other account's resources must be unchanged afterwards.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{AuthMode: "apikey"})
	keyA, accountA := api.AccountKey(t, "tenant-a")
	keyB, accountB := api.AccountKey(t, "tenant-b")
	a, b := api.Clients(keyA), api.Clients(keyB)
	ctx := apitest.Ctx(t)

	srcURL := testdb.Postgres(t, "neosync_tenant")
	execPG(t, srcURL, apitest.PostgresFixture)
	connB := createConnection(t, b, accountB, "b-source", pgConfig(srcURL))
	connB2 := createConnection(t, b, accountB, "b-dest", pgConfig(testdb.Postgres(t, "neosync_tenant")))
	jobB, err := b.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: accountB, JobName: "b-job", Source: syncSource(connB.GetId()),
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: connB2.GetId()}},
		Mappings:     []*mgmt.JobMapping{mapping("shop", "regions", "country", "passthrough")},
	}))
	if err != nil {
		t.Fatal(err)
	}
	keyResp, err := b.Keys.CreateAccountApiKey(ctx, connect.NewRequest(&mgmt.CreateAccountApiKeyRequest{AccountId: accountB, Name: "b-key", ExpiresAt: timestamppb.New(time.Now().Add(time.Hour))}))
	if err != nil {
		t.Fatal(err)
	}
	udtB, err := b.Transformers.CreateUserDefinedTransformer(ctx, connect.NewRequest(&mgmt.CreateUserDefinedTransformerRequest{AccountId: accountB, Name: "b-transformer", Source: "transform_hash"}))
	if err != nil {
		t.Fatal(err)
	}
	// A has a connection of its own, to try pairing it with B's.
	connA := createConnection(t, a, accountA, "a-source", pgConfig(srcURL))

	before := snapshot(t, b, accountB, connB.GetId(), jobB.Msg.GetJob().GetId())
	real := bIDs{accountB, connB.GetId(), connB2.GetId(), jobB.Msg.GetJob().GetId(), jobB.Msg.GetJob().GetDestinations()[0].GetId(), keyResp.Msg.GetApiKey().GetId(), udtB.Msg.GetTransformer().GetId()}
	r := func() string { return uuid.NewString() }
	random := bIDs{r(), r(), r(), r(), r(), r(), r()}

	expires := timestamppb.New(time.Now().Add(time.Hour))
	calls := map[string]func(ctx context.Context, ids bIDs) error{
		"GetConnection": func(ctx context.Context, ids bIDs) error {
			_, err := a.Connections.GetConnection(ctx, connect.NewRequest(&mgmt.GetConnectionRequest{Id: ids.conn}))
			return err
		},
		"GetConnections": func(ctx context.Context, ids bIDs) error {
			_, err := a.Connections.GetConnections(ctx, connect.NewRequest(&mgmt.GetConnectionsRequest{AccountId: ids.account}))
			return err
		},
		"CreateConnection": func(ctx context.Context, ids bIDs) error {
			_, err := a.Connections.CreateConnection(ctx, connect.NewRequest(&mgmt.CreateConnectionRequest{AccountId: ids.account, Name: "sneaky", ConnectionConfig: pgConfig(srcURL)}))
			return err
		},
		"UpdateConnection": func(ctx context.Context, ids bIDs) error {
			_, err := a.Connections.UpdateConnection(ctx, connect.NewRequest(&mgmt.UpdateConnectionRequest{Id: ids.conn, Name: "hijacked", ConnectionConfig: pgConfig("postgres://evil@127.0.0.1:5432/x")}))
			return err
		},
		"DeleteConnection": func(ctx context.Context, ids bIDs) error {
			_, err := a.Connections.DeleteConnection(ctx, connect.NewRequest(&mgmt.DeleteConnectionRequest{Id: ids.conn2}))
			return err
		},
		"IsConnectionNameAvailable": func(ctx context.Context, ids bIDs) error {
			_, err := a.Connections.IsConnectionNameAvailable(ctx, connect.NewRequest(&mgmt.IsConnectionNameAvailableRequest{AccountId: ids.account, ConnectionName: "b-source"}))
			return err
		},
		"CheckConnectionConfigById": func(ctx context.Context, ids bIDs) error {
			_, err := a.Connections.CheckConnectionConfigById(ctx, connect.NewRequest(&mgmt.CheckConnectionConfigByIdRequest{Id: ids.conn}))
			return err
		},
		"GetConnectionSchema": func(ctx context.Context, ids bIDs) error {
			_, err := a.Data.GetConnectionSchema(ctx, connect.NewRequest(&mgmt.GetConnectionSchemaRequest{ConnectionId: ids.conn}))
			return err
		},
		"GetConnectionTableConstraints": func(ctx context.Context, ids bIDs) error {
			_, err := a.Data.GetConnectionTableConstraints(ctx, connect.NewRequest(&mgmt.GetConnectionTableConstraintsRequest{ConnectionId: ids.conn}))
			return err
		},
		"GetAllSchemasAndTables": func(ctx context.Context, ids bIDs) error {
			_, err := a.Data.GetAllSchemasAndTables(ctx, connect.NewRequest(&mgmt.GetAllSchemasAndTablesRequest{ConnectionId: ids.conn}))
			return err
		},
		"GetTableRowCount": func(ctx context.Context, ids bIDs) error {
			_, err := a.Data.GetTableRowCount(ctx, connect.NewRequest(&mgmt.GetTableRowCountRequest{ConnectionId: ids.conn, Schema: "shop", Table: "regions"}))
			return err
		},
		"GetConnectionDataStream": func(ctx context.Context, ids bIDs) error {
			s, err := a.Data.GetConnectionDataStream(ctx, connect.NewRequest(&mgmt.GetConnectionDataStreamRequest{ConnectionId: ids.conn, Schema: "shop", Table: "regions"}))
			if err != nil {
				return err
			}
			for s.Receive() {
				t.Errorf("stream returned rows of another account")
			}
			return s.Err()
		},
		"ScanConnectionPii": func(ctx context.Context, ids bIDs) error {
			_, err := a.Data.ScanConnectionPii(ctx, connect.NewRequest(&mgmt.ScanConnectionPiiRequest{ConnectionId: ids.conn}))
			return err
		},
		"GetJob": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.GetJob(ctx, connect.NewRequest(&mgmt.GetJobRequest{Id: ids.job}))
			return err
		},
		"GetJobPlan": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.GetJobPlan(ctx, connect.NewRequest(&mgmt.GetJobPlanRequest{Id: ids.job}))
			return err
		},
		"GetJobs": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.GetJobs(ctx, connect.NewRequest(&mgmt.GetJobsRequest{AccountId: ids.account}))
			return err
		},
		"CreateJob in B's account": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{AccountId: ids.account, JobName: "sneaky", Source: syncSource(ids.conn), Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: ids.conn2}}}))
			return err
		},
		"CreateJob with B's connection": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{AccountId: accountA, JobName: "sneaky", Source: syncSource(ids.conn), Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: connA.GetId()}}}))
			return err
		},
		"CreateJob with B's destination": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{AccountId: accountA, JobName: "sneaky", Source: syncSource(connA.GetId()), Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: ids.conn2}}}))
			return err
		},
		"DeleteJob": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.DeleteJob(ctx, connect.NewRequest(&mgmt.DeleteJobRequest{Id: ids.job}))
			return err
		},
		"IsJobNameAvailable": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.IsJobNameAvailable(ctx, connect.NewRequest(&mgmt.IsJobNameAvailableRequest{AccountId: ids.account, Name: "b-job"}))
			return err
		},
		"UpdateJobSchedule": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.UpdateJobSchedule(ctx, connect.NewRequest(&mgmt.UpdateJobScheduleRequest{Id: ids.job, CronSchedule: ptr("@daily")}))
			return err
		},
		"UpdateJobSourceConnection": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.UpdateJobSourceConnection(ctx, connect.NewRequest(&mgmt.UpdateJobSourceConnectionRequest{Id: ids.job, Source: syncSource(ids.conn)}))
			return err
		},
		"SetJobSourceSqlConnectionSubsets": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.SetJobSourceSqlConnectionSubsets(ctx, connect.NewRequest(&mgmt.SetJobSourceSqlConnectionSubsetsRequest{Id: ids.job, Subsets: []*mgmt.JobSourceSubset{{Schema: "shop", Table: "regions", WhereClause: "false"}}}))
			return err
		},
		"UpdateJobDestinationConnection": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.UpdateJobDestinationConnection(ctx, connect.NewRequest(&mgmt.UpdateJobDestinationConnectionRequest{JobId: ids.job, DestinationId: ids.dest, ConnectionId: ids.conn2}))
			return err
		},
		"DeleteJobDestinationConnection": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.DeleteJobDestinationConnection(ctx, connect.NewRequest(&mgmt.DeleteJobDestinationConnectionRequest{JobId: ids.job, DestinationId: ids.dest}))
			return err
		},
		"CreateJobDestinationConnections": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.CreateJobDestinationConnections(ctx, connect.NewRequest(&mgmt.CreateJobDestinationConnectionsRequest{JobId: ids.job, Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: connA.GetId()}}}))
			return err
		},
		"SetJobWorkflowOptions": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.SetJobWorkflowOptions(ctx, connect.NewRequest(&mgmt.SetJobWorkflowOptionsRequest{Id: ids.job, WorkflowOptions: &mgmt.WorkflowOptions{RunTimeoutSeconds: ptr(int64(1))}}))
			return err
		},
		"SetJobSyncOptions": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.SetJobSyncOptions(ctx, connect.NewRequest(&mgmt.SetJobSyncOptionsRequest{Id: ids.job, SyncOptions: &mgmt.ActivityOptions{MaxAttempts: ptr(int32(1))}}))
			return err
		},
		"ValidateJobMappings": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.ValidateJobMappings(ctx, connect.NewRequest(&mgmt.ValidateJobMappingsRequest{AccountId: ids.account, ConnectionId: ids.conn}))
			return err
		},
		"ValidateJobMappings with B's connection": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.ValidateJobMappings(ctx, connect.NewRequest(&mgmt.ValidateJobMappingsRequest{AccountId: accountA, ConnectionId: ids.conn}))
			return err
		},
		"GetAccountApiKey": func(ctx context.Context, ids bIDs) error {
			_, err := a.Keys.GetAccountApiKey(ctx, connect.NewRequest(&mgmt.GetAccountApiKeyRequest{Id: ids.key}))
			return err
		},
		"GetAccountApiKeys": func(ctx context.Context, ids bIDs) error {
			_, err := a.Keys.GetAccountApiKeys(ctx, connect.NewRequest(&mgmt.GetAccountApiKeysRequest{AccountId: ids.account}))
			return err
		},
		"CreateAccountApiKey": func(ctx context.Context, ids bIDs) error {
			_, err := a.Keys.CreateAccountApiKey(ctx, connect.NewRequest(&mgmt.CreateAccountApiKeyRequest{AccountId: ids.account, Name: "sneaky", ExpiresAt: expires}))
			return err
		},
		"RegenerateAccountApiKey": func(ctx context.Context, ids bIDs) error {
			_, err := a.Keys.RegenerateAccountApiKey(ctx, connect.NewRequest(&mgmt.RegenerateAccountApiKeyRequest{Id: ids.key, ExpiresAt: expires}))
			return err
		},
		"DeleteAccountApiKey": func(ctx context.Context, ids bIDs) error {
			_, err := a.Keys.DeleteAccountApiKey(ctx, connect.NewRequest(&mgmt.DeleteAccountApiKeyRequest{Id: ids.key}))
			return err
		},
	}
	hashT := &mgmt.JobMappingTransformer{Source: "transform_hash"}
	more := map[string]func(ctx context.Context, ids bIDs) error{
		"GetUserDefinedTransformerById": func(ctx context.Context, ids bIDs) error {
			_, err := a.Transformers.GetUserDefinedTransformerById(ctx, connect.NewRequest(&mgmt.GetUserDefinedTransformerByIdRequest{TransformerId: ids.transformer}))
			return err
		},
		"GetUserDefinedTransformers": func(ctx context.Context, ids bIDs) error {
			_, err := a.Transformers.GetUserDefinedTransformers(ctx, connect.NewRequest(&mgmt.GetUserDefinedTransformersRequest{AccountId: ids.account}))
			return err
		},
		"CreateUserDefinedTransformer": func(ctx context.Context, ids bIDs) error {
			_, err := a.Transformers.CreateUserDefinedTransformer(ctx, connect.NewRequest(&mgmt.CreateUserDefinedTransformerRequest{AccountId: ids.account, Name: "sneaky", Source: "passthrough"}))
			return err
		},
		"UpdateUserDefinedTransformer": func(ctx context.Context, ids bIDs) error {
			_, err := a.Transformers.UpdateUserDefinedTransformer(ctx, connect.NewRequest(&mgmt.UpdateUserDefinedTransformerRequest{TransformerId: ids.transformer, Name: "hijacked"}))
			return err
		},
		"DeleteUserDefinedTransformer": func(ctx context.Context, ids bIDs) error {
			_, err := a.Transformers.DeleteUserDefinedTransformer(ctx, connect.NewRequest(&mgmt.DeleteUserDefinedTransformerRequest{TransformerId: ids.transformer}))
			return err
		},
		"IsTransformerNameAvailable": func(ctx context.Context, ids bIDs) error {
			_, err := a.Transformers.IsTransformerNameAvailable(ctx, connect.NewRequest(&mgmt.IsTransformerNameAvailableRequest{AccountId: ids.account, TransformerName: "b-transformer"}))
			return err
		},
		"PreviewTransformer": func(ctx context.Context, ids bIDs) error {
			_, err := a.Transformers.PreviewTransformer(ctx, connect.NewRequest(&mgmt.PreviewTransformerRequest{AccountId: ids.account, Source: "passthrough"}))
			return err
		},
		"CreateJob with B's transformer": func(ctx context.Context, ids bIDs) error {
			_, err := a.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{AccountId: accountA, JobName: "sneaky", Source: syncSource(connA.GetId()),
				Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: connA.GetId()}},
				Mappings:     []*mgmt.JobMapping{{Schema: "shop", Table: "regions", Column: "name", Transformer: &mgmt.JobMappingTransformer{UserDefinedTransformerId: &ids.transformer}}}}))
			return err
		},
		"AnonymizeSingle": func(ctx context.Context, ids bIDs) error {
			_, err := a.Anonymize.AnonymizeSingle(ctx, connect.NewRequest(&mgmt.AnonymizeSingleRequest{AccountId: ids.account, InputData: `{"a":"b"}`, TransformerMappings: []*mgmt.TransformerMapping{{Expression: ".a", Transformer: hashT}}}))
			return err
		},
		"AnonymizeMany with B's transformer": func(ctx context.Context, ids bIDs) error {
			_, err := a.Anonymize.AnonymizeMany(ctx, connect.NewRequest(&mgmt.AnonymizeManyRequest{AccountId: accountA, InputData: []string{`{"a":"b"}`},
				TransformerMappings: []*mgmt.TransformerMapping{{Expression: ".a", Transformer: &mgmt.JobMappingTransformer{UserDefinedTransformerId: &ids.transformer}}}}))
			return err
		},
	}
	for k, v := range more {
		calls[k] = v
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			errOther := call(ctx, real)
			wantCode(t, "other account's id", errOther, connect.CodeNotFound)
			errRandom := call(ctx, random)
			wantCode(t, "random id", errRandom, connect.CodeNotFound)
		})
	}

	after := snapshot(t, b, accountB, connB.GetId(), jobB.Msg.GetJob().GetId())
	if !proto.Equal(before, after) {
		t.Fatalf("account B changed after A's calls:\nbefore %v\nafter  %v", before, after)
	}
	if _, err := b.Users.GetUser(ctx, connect.NewRequest(&mgmt.GetUserRequest{})); err != nil {
		t.Fatalf("B's key stopped working: %v", err)
	}
}

// snapshot collects everything of account B that A's calls could have changed.
func snapshot(t *testing.T, b apitest.Clients, accountID, connID, jobID string) *mgmt.GetJobsResponse {
	t.Helper()
	ctx := apitest.Ctx(t)
	jobs, err := b.Jobs.GetJobs(ctx, connect.NewRequest(&mgmt.GetJobsRequest{AccountId: accountID}))
	if err != nil {
		t.Fatal(err)
	}
	conns, err := b.Connections.GetConnections(ctx, connect.NewRequest(&mgmt.GetConnectionsRequest{AccountId: accountID}))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := b.Keys.GetAccountApiKeys(ctx, connect.NewRequest(&mgmt.GetAccountApiKeysRequest{AccountId: accountID}))
	if err != nil {
		t.Fatal(err)
	}
	udts, err := b.Transformers.GetUserDefinedTransformers(ctx, connect.NewRequest(&mgmt.GetUserDefinedTransformersRequest{AccountId: accountID}))
	if err != nil {
		t.Fatal(err)
	}
	// Fold connections and keys into the job response's unknown-free shape
	// by appending them as extra jobs' names: one comparable message.
	out := proto.Clone(jobs.Msg).(*mgmt.GetJobsResponse)
	for _, c := range conns.Msg.GetConnections() {
		out.Jobs = append(out.Jobs, &mgmt.Job{Id: c.GetId(), Name: "connection:" + c.GetName(), UpdatedAt: c.GetUpdatedAt()})
	}
	for _, k := range keys.Msg.GetApiKeys() {
		k.LastUsedAt = nil
		out.Jobs = append(out.Jobs, &mgmt.Job{Id: k.GetId(), Name: "key:" + k.GetName(), UpdatedAt: k.GetUpdatedAt(), CreatedAt: k.GetExpiresAt()})
	}
	for _, u := range udts.Msg.GetTransformers() {
		out.Jobs = append(out.Jobs, &mgmt.Job{Id: u.GetId(), Name: "transformer:" + u.GetName(), UpdatedAt: u.GetUpdatedAt()})
	}
	_ = connID
	_ = jobID
	return out
}
