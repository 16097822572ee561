package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/timestamppb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// need is the weakest role that may call a procedure; roles are ordered
// admin > developer > executor > viewer. "any" is every signed-in person.
// This is the README's role table, written out independently of the
// server's authorization table so a change to either shows here.
type need struct {
	role  string // any, viewer, executor, developer, admin
	field string // request field carrying the fixture id ("" for none)
	id    string // which fixture: account, conn, job, run, transformer, key, invite
}

var roleMatrix = map[string]need{
	"UserAccountService/GetUser":                          {"any", "", ""},
	"UserAccountService/SetUser":                          {"any", "", ""},
	"UserAccountService/GetUserAccounts":                  {"any", "", ""},
	"UserAccountService/SetPersonalAccount":               {"any", "", ""},
	"UserAccountService/CreateTeamAccount":                {"any", "", ""},
	"UserAccountService/GetSystemInformation":             {"any", "", ""},
	"UserAccountService/AcceptTeamAccountInvite":          {"any", "", ""},
	"UserAccountService/DeclineTeamAccountInvite":         {"any", "", ""},
	"UserAccountService/GetTeamAccountMembers":            {"viewer", "account_id", "account"},
	"UserAccountService/LeaveTeamAccount":                 {"viewer", "account_id", "account"},
	"UserAccountService/UpdateTeamAccountMemberRole":      {"admin", "account_id", "account"},
	"UserAccountService/RemoveTeamAccountMember":          {"admin", "account_id", "account"},
	"UserAccountService/InviteUserToTeamAccount":          {"admin", "account_id", "account"},
	"UserAccountService/GetTeamAccountInvites":            {"admin", "account_id", "account"},
	"UserAccountService/RemoveTeamAccountInvite":          {"admin", "id", "invite"},
	"AuditService/GetAuditEvents":                         {"admin", "account_id", "account"},
	"ApiKeyService/CreateAccountApiKey":                   {"admin", "account_id", "account"},
	"ApiKeyService/GetAccountApiKey":                      {"admin", "id", "key"},
	"ApiKeyService/GetAccountApiKeys":                     {"admin", "account_id", "account"},
	"ApiKeyService/RegenerateAccountApiKey":               {"admin", "id", "key"},
	"ApiKeyService/DeleteAccountApiKey":                   {"admin", "id", "key"},
	"ConnectionService/GetConnections":                    {"viewer", "account_id", "account"},
	"ConnectionService/GetConnection":                     {"viewer", "id", "conn"},
	"ConnectionService/CreateConnection":                  {"developer", "account_id", "account"},
	"ConnectionService/UpdateConnection":                  {"developer", "id", "conn"},
	"ConnectionService/DeleteConnection":                  {"developer", "id", "conn"},
	"ConnectionService/IsConnectionNameAvailable":         {"viewer", "account_id", "account"},
	"ConnectionService/CheckConnectionConfig":             {"any", "", ""}, // account-less; everyone administers a personal account
	"ConnectionService/CheckConnectionConfigById":         {"viewer", "id", "conn"},
	"ConnectionDataService/GetConnectionSchema":           {"viewer", "connection_id", "conn"},
	"ConnectionDataService/GetConnectionTableConstraints": {"viewer", "connection_id", "conn"},
	"ConnectionDataService/GetAllSchemasAndTables":        {"viewer", "connection_id", "conn"},
	"ConnectionDataService/GetTableRowCount":              {"viewer", "connection_id", "conn"},
	"ConnectionDataService/GetConnectionDataStream":       {"developer", "connection_id", "conn"},
	"ConnectionDataService/ScanConnectionPii":             {"developer", "connection_id", "conn"},
	"JobService/GetJobs":                                  {"viewer", "account_id", "account"},
	"JobService/GetJob":                                   {"viewer", "id", "job"},
	"JobService/CreateJob":                                {"developer", "account_id", "account"},
	"JobService/DeleteJob":                                {"developer", "id", "job"},
	"JobService/IsJobNameAvailable":                       {"viewer", "account_id", "account"},
	"JobService/UpdateJobSchedule":                        {"developer", "id", "job"},
	"JobService/PauseJob":                                 {"executor", "id", "job"},
	"JobService/UpdateJobSourceConnection":                {"developer", "id", "job"},
	"JobService/SetJobSourceSqlConnectionSubsets":         {"developer", "id", "job"},
	"JobService/UpdateJobDestinationConnection":           {"developer", "job_id", "job"},
	"JobService/DeleteJobDestinationConnection":           {"developer", "job_id", "job"},
	"JobService/CreateJobDestinationConnections":          {"developer", "job_id", "job"},
	"JobService/SetJobWorkflowOptions":                    {"developer", "id", "job"},
	"JobService/SetJobSyncOptions":                        {"developer", "id", "job"},
	"JobService/ValidateJobMappings":                      {"developer", "account_id", "account"},
	"JobService/GetJobPlan":                               {"viewer", "id", "job"},
	"JobService/CreateJobRun":                             {"executor", "job_id", "job"},
	"JobService/GetJobRuns":                               {"viewer", "job_id", "job"},
	"JobService/GetJobRun":                                {"viewer", "job_run_id", "run"},
	"JobService/GetJobRunEvents":                          {"viewer", "job_run_id", "run"},
	"JobService/GetJobRunLogs":                            {"viewer", "job_run_id", "run"},
	"JobService/GetUsage":                                 {"viewer", "account_id", "account"},
	"JobService/CancelJobRun":                             {"executor", "job_run_id", "run"},
	"JobService/TerminateJobRun":                          {"executor", "job_run_id", "run"},
	"JobService/DeleteJobRun":                             {"developer", "job_run_id", "run"},
	"JobService/GetJobRecentRuns":                         {"viewer", "job_id", "job"},
	"JobService/GetJobNextRuns":                           {"viewer", "job_id", "job"},
	"TransformersService/GetSystemTransformers":           {"any", "", ""},
	"TransformersService/GetSystemTransformerBySource":    {"any", "", ""},
	"TransformersService/GetUserDefinedTransformers":      {"viewer", "account_id", "account"},
	"TransformersService/GetUserDefinedTransformerById":   {"viewer", "transformer_id", "transformer"},
	"TransformersService/CreateUserDefinedTransformer":    {"developer", "account_id", "account"},
	"TransformersService/UpdateUserDefinedTransformer":    {"developer", "transformer_id", "transformer"},
	"TransformersService/DeleteUserDefinedTransformer":    {"developer", "transformer_id", "transformer"},
	"TransformersService/IsTransformerNameAvailable":      {"viewer", "account_id", "account"},
	"TransformersService/ValidateUserJavascriptCode":      {"developer", "account_id", "account"},
	"TransformersService/ValidateUserRegexCode":           {"developer", "account_id", "account"},
	"TransformersService/PreviewTransformer":              {"developer", "account_id", "account"},
	"AnonymizationService/AnonymizeMany":                  {"executor", "account_id", "account"},
	"AnonymizationService/AnonymizeSingle":                {"executor", "account_id", "account"},
}

var roleRank = map[string]int{"viewer": 1, "executor": 2, "developer": 3, "admin": 4}

// TestRoleMatrix calls every RPC as each role (members of one team account,
// signed in through the provider) and as a stranger: a role below the
// procedure's answers PermissionDenied, a role at or above it never does,
// and the stranger never learns more than NotFound or a bad-input error.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	env := startOIDC(t)
	ctx := apitest.Ctx(t)
	alice := env.signIn(t, "alice")
	team := teamAccount(t, alice, "matrix")
	members := map[string]string{"viewer": "view", "executor": "exec", "developer": "dev"}
	roles := map[string]mgmt.AccountRole{"viewer": mgmt.AccountRole_ACCOUNT_ROLE_JOB_VIEWER, "executor": mgmt.AccountRole_ACCOUNT_ROLE_JOB_EXECUTOR, "developer": mgmt.AccountRole_ACCOUNT_ROLE_JOB_DEVELOPER}
	tokens := map[string]string{"admin": env.token(t, "web", "alice")}
	for role, person := range members {
		tokens[role] = env.token(t, "web", person)
		join(t, alice, env.api.Clients(tokens[role]), team, person, roles[role])
	}
	tokens["stranger"] = env.token(t, "web", "mallory")

	// The team's resources, made by its admin.
	src := testdb.Postgres(t, "neosync_roles")
	execPG(t, src, apitest.PostgresFixture)
	conn := createConnection(t, alice, team, "src", pgConfig(src))
	dst := createConnection(t, alice, team, "dst", pgConfig(testdb.Postgres(t, "neosync_roles")))
	job, err := alice.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: team, JobName: "nightly", Source: syncSource(conn.GetId()),
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst.GetId()}},
		Mappings:     []*mgmt.JobMapping{mapping("shop", "regions", "country", "passthrough")},
	}))
	if err != nil {
		t.Fatal(err)
	}
	run, err := alice.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	udt, err := alice.Transformers.CreateUserDefinedTransformer(ctx, connect.NewRequest(&mgmt.CreateUserDefinedTransformerRequest{AccountId: team, Name: "hash", Source: "transform_hash"}))
	if err != nil {
		t.Fatal(err)
	}
	key, err := alice.Keys.CreateAccountApiKey(ctx, connect.NewRequest(&mgmt.CreateAccountApiKeyRequest{AccountId: team, Name: "ci", ExpiresAt: timestamppb.New(time.Now().Add(time.Hour))}))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := alice.Users.InviteUserToTeamAccount(ctx, connect.NewRequest(&mgmt.InviteUserToTeamAccountRequest{AccountId: team, Email: "carol@example.com", Role: mgmt.AccountRole_ACCOUNT_ROLE_JOB_VIEWER}))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{
		"account": team, "conn": conn.GetId(), "job": job.Msg.GetJob().GetId(), "run": run.Msg.GetJobRun().GetId(),
		"transformer": udt.Msg.GetTransformer().GetId(), "key": key.Msg.GetApiKey().GetId(), "invite": inv.Msg.GetInvite().GetId(),
	}

	procs := procedures(t)
	// Weakest first, and within a role, leaving last, so no call removes
	// what a later refusal is checked against.
	for _, who := range []string{"stranger", "viewer", "executor", "developer", "admin"} {
		for _, proc := range procs {
			n := roleMatrix[proc]
			body := map[string]string{}
			if n.field != "" {
				body[n.field] = ids[n.id]
			}
			code, msg := rawCall(t, env.api, tokens[who], proc, body)
			switch {
			case who == "stranger" && n.role != "any":
				if code == "permission_denied" || code == "" {
					t.Errorf("stranger %s = %q %s, want NotFound or a bad-input error (never a hint the resource exists)", proc, code, msg)
				}
			case n.role == "any" || roleRank[who] >= roleRank[n.role]:
				if code == "permission_denied" {
					t.Errorf("%s %s = PermissionDenied (%s), want allowed", who, proc, msg)
				}
			default:
				if code != "permission_denied" {
					t.Errorf("%s %s = %q %s, want PermissionDenied", who, proc, code, msg)
				}
			}
		}
	}
}

// procedures lists every RPC but the worker's, LeaveTeamAccount last; the
// test fails on one missing from roleMatrix.
func procedures(t *testing.T) []string {
	t.Helper()
	var out []string
	protoregistry.GlobalFiles.RangeFilesByPackage("mgmt.v1alpha1", func(fd protoreflect.FileDescriptor) bool {
		for i := 0; i < fd.Services().Len(); i++ {
			svc := fd.Services().Get(i)
			if svc.Name() == "WorkerService" {
				continue
			}
			for j := 0; j < svc.Methods().Len(); j++ {
				p := string(svc.Name()) + "/" + string(svc.Methods().Get(j).Name())
				if _, ok := roleMatrix[p]; !ok {
					t.Errorf("%s is missing from the role matrix", p)
				}
				out = append(out, p)
			}
		}
		return true
	})
	slices.Sort(out)
	i := slices.Index(out, "UserAccountService/LeaveTeamAccount")
	out = append(append(out[:i:i], out[i+1:]...), "UserAccountService/LeaveTeamAccount")
	return out
}

// rawCall calls procedure with a JSON body over the Connect protocol (the
// server stream with an enveloped body) and returns the error code ("" on
// success) and message.
func rawCall(t *testing.T, api *apitest.API, token, proc string, body map[string]string) (string, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	ct := "application/json"
	if isServerStream(proc) {
		env := make([]byte, 5, 5+len(b))
		env[4] = byte(len(b))
		b = append(env, b...)
		ct = "application/connect+json"
	}
	req, _ := http.NewRequestWithContext(apitest.Ctx(t), http.MethodPost, api.URL+"/mgmt.v1alpha1."+proc, bytes.NewReader(b))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := api.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", proc, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if ct != "application/json" {
		// The end-of-stream message carries the error, if any.
		for len(raw) >= 5 {
			n := int(raw[1])<<24 | int(raw[2])<<16 | int(raw[3])<<8 | int(raw[4])
			flags, msg := raw[0], raw[5:5+n]
			raw = raw[5+n:]
			if flags&2 != 0 {
				var end struct {
					Error *struct{ Code, Message string } `json:"error"`
				}
				_ = json.Unmarshal(msg, &end)
				if end.Error != nil {
					return end.Error.Code, end.Error.Message
				}
			}
		}
		return "", ""
	}
	if resp.StatusCode == http.StatusOK {
		return "", ""
	}
	var e struct{ Code, Message string }
	_ = json.Unmarshal(raw, &e)
	return e.Code, e.Message
}

// isServerStream reports whether proc ("Service/Method") streams its
// responses, from its descriptor, so a stream is called with the streaming
// envelope whatever its name.
func isServerStream(proc string) bool {
	svc, method, _ := strings.Cut(proc, "/")
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName("mgmt.v1alpha1." + svc))
	if err != nil {
		return false
	}
	sd, ok := d.(protoreflect.ServiceDescriptor)
	if !ok {
		return false
	}
	m := sd.Methods().ByName(protoreflect.Name(method))
	return m != nil && m.IsStreamingServer()
}
