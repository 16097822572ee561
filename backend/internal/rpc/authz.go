package rpc

import (
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/neosyncio/neosync/backend/internal/auth"
)

// rule is how one procedure is authorized and audited.
type rule struct {
	// self: any signed-in caller may call it (about themselves or the server).
	self bool
	// perm is the permission needed in the account the request acts in.
	perm auth.Permission
	// targets are the request fields naming that account or a resource in
	// it, tried in order (GetJobRuns names a job or an account). None means
	// the action needs perm in any one account.
	targets []field
	// action, when set, records an audit event after a successful call.
	action string
	// resource is the audited resource type (defaults to the target's).
	resource string
}

// field names a request field holding the id of a resource.
type field struct {
	name     protoreflect.Name
	resource auth.Resource
}

func acct(f string) []field                  { return []field{{protoreflect.Name(f), auth.ResourceAccount}} }
func byID(f string, r auth.Resource) []field { return []field{{protoreflect.Name(f), r}} }

const pkg = "/mgmt.v1alpha1."

// publicProcedures answer callers without credentials: `neosync login`
// and the web app learn the auth mode and the identity provider from
// GetSystemInformation before anyone has signed in. A presented credential
// is still checked.
var publicProcedures = map[string]bool{
	pkg + "UserAccountService/GetSystemInformation": true,
}

// rules is the authorization table: every procedure the API serves has a
// row (a test checks it), and the interceptor refuses a procedure without one.
// Worker-only procedures are guarded by the worker rule in auth.Authorize.
var rules = map[string]rule{
	// UserAccountService
	pkg + "UserAccountService/GetUser":                     {self: true},
	pkg + "UserAccountService/SetUser":                     {self: true},
	pkg + "UserAccountService/GetUserAccounts":             {self: true},
	pkg + "UserAccountService/SetPersonalAccount":          {self: true},
	pkg + "UserAccountService/CreateTeamAccount":           {self: true, action: "create", resource: "account"},
	pkg + "UserAccountService/GetSystemInformation":        {self: true},
	pkg + "UserAccountService/AcceptTeamAccountInvite":     {self: true, action: "accept", resource: "invite"},
	pkg + "UserAccountService/DeclineTeamAccountInvite":    {self: true, action: "decline", resource: "invite"},
	pkg + "UserAccountService/GetTeamAccountMembers":       {perm: auth.PermRead, targets: acct("account_id")},
	pkg + "UserAccountService/LeaveTeamAccount":            {perm: auth.PermRead, targets: acct("account_id"), action: "leave", resource: "member"},
	pkg + "UserAccountService/UpdateTeamAccountMemberRole": {perm: auth.PermMemberManage, targets: acct("account_id"), action: "update", resource: "member"},
	pkg + "UserAccountService/RemoveTeamAccountMember":     {perm: auth.PermMemberManage, targets: acct("account_id"), action: "remove", resource: "member"},
	pkg + "UserAccountService/InviteUserToTeamAccount":     {perm: auth.PermMemberManage, targets: acct("account_id"), action: "invite", resource: "invite"},
	pkg + "UserAccountService/GetTeamAccountInvites":       {perm: auth.PermMemberManage, targets: acct("account_id")},
	pkg + "UserAccountService/RemoveTeamAccountInvite":     {perm: auth.PermMemberManage, targets: byID("id", auth.ResourceInvite), action: "delete"},

	// AuditService
	pkg + "AuditService/GetAuditEvents": {perm: auth.PermAuditRead, targets: acct("account_id")},

	// ApiKeyService
	pkg + "ApiKeyService/CreateAccountApiKey":     {perm: auth.PermKeyManage, targets: acct("account_id"), action: "create", resource: "api_key"},
	pkg + "ApiKeyService/GetAccountApiKey":        {perm: auth.PermKeyManage, targets: byID("id", auth.ResourceAPIKey)},
	pkg + "ApiKeyService/GetAccountApiKeys":       {perm: auth.PermKeyManage, targets: acct("account_id")},
	pkg + "ApiKeyService/RegenerateAccountApiKey": {perm: auth.PermKeyManage, targets: byID("id", auth.ResourceAPIKey), action: "update"},
	pkg + "ApiKeyService/DeleteAccountApiKey":     {perm: auth.PermKeyManage, targets: byID("id", auth.ResourceAPIKey), action: "delete"},

	// ConnectionService
	pkg + "ConnectionService/GetConnections":            {perm: auth.PermRead, targets: acct("account_id")},
	pkg + "ConnectionService/GetConnection":             {perm: auth.PermRead, targets: byID("id", auth.ResourceConnection)},
	pkg + "ConnectionService/CreateConnection":          {perm: auth.PermConnectionWrite, targets: acct("account_id"), action: "create", resource: "connection"},
	pkg + "ConnectionService/UpdateConnection":          {perm: auth.PermConnectionWrite, targets: byID("id", auth.ResourceConnection), action: "update"},
	pkg + "ConnectionService/DeleteConnection":          {perm: auth.PermConnectionWrite, targets: byID("id", auth.ResourceConnection), action: "delete"},
	pkg + "ConnectionService/IsConnectionNameAvailable": {perm: auth.PermRead, targets: acct("account_id")},
	pkg + "ConnectionService/CheckConnectionConfig":     {perm: auth.PermConnectionWrite},
	pkg + "ConnectionService/CheckConnectionConfigById": {perm: auth.PermRead, targets: byID("id", auth.ResourceConnection)},

	// ConnectionDataService
	pkg + "ConnectionDataService/GetConnectionSchema":           {perm: auth.PermRead, targets: byID("connection_id", auth.ResourceConnection)},
	pkg + "ConnectionDataService/GetConnectionTableConstraints": {perm: auth.PermRead, targets: byID("connection_id", auth.ResourceConnection)},
	pkg + "ConnectionDataService/GetAllSchemasAndTables":        {perm: auth.PermRead, targets: byID("connection_id", auth.ResourceConnection)},
	pkg + "ConnectionDataService/GetTableRowCount":              {perm: auth.PermRead, targets: byID("connection_id", auth.ResourceConnection)},
	pkg + "ConnectionDataService/GetConnectionDataStream":       {perm: auth.PermDataRead, targets: byID("connection_id", auth.ResourceConnection)},
	// A scan reads rows (it returns only counts and kinds), so it needs
	// the data permission.
	pkg + "ConnectionDataService/ScanConnectionPii": {perm: auth.PermDataRead, targets: byID("connection_id", auth.ResourceConnection)},

	// JobService: definitions
	pkg + "JobService/GetJobs":                          {perm: auth.PermRead, targets: acct("account_id")},
	pkg + "JobService/GetJob":                           {perm: auth.PermRead, targets: byID("id", auth.ResourceJob)},
	pkg + "JobService/CreateJob":                        {perm: auth.PermJobWrite, targets: acct("account_id"), action: "create", resource: "job"},
	pkg + "JobService/DeleteJob":                        {perm: auth.PermJobWrite, targets: byID("id", auth.ResourceJob), action: "delete"},
	pkg + "JobService/IsJobNameAvailable":               {perm: auth.PermRead, targets: acct("account_id")},
	pkg + "JobService/UpdateJobSchedule":                {perm: auth.PermJobWrite, targets: byID("id", auth.ResourceJob), action: "update"},
	pkg + "JobService/PauseJob":                         {perm: auth.PermRunExecute, targets: byID("id", auth.ResourceJob), action: "pause"},
	pkg + "JobService/UpdateJobSourceConnection":        {perm: auth.PermJobWrite, targets: byID("id", auth.ResourceJob), action: "update"},
	pkg + "JobService/SetJobSourceSqlConnectionSubsets": {perm: auth.PermJobWrite, targets: byID("id", auth.ResourceJob), action: "update"},
	pkg + "JobService/UpdateJobDestinationConnection":   {perm: auth.PermJobWrite, targets: byID("job_id", auth.ResourceJob), action: "update"},
	pkg + "JobService/DeleteJobDestinationConnection":   {perm: auth.PermJobWrite, targets: byID("job_id", auth.ResourceJob), action: "update"},
	pkg + "JobService/CreateJobDestinationConnections":  {perm: auth.PermJobWrite, targets: byID("job_id", auth.ResourceJob), action: "update"},
	pkg + "JobService/SetJobWorkflowOptions":            {perm: auth.PermJobWrite, targets: byID("id", auth.ResourceJob), action: "update"},
	pkg + "JobService/SetJobSyncOptions":                {perm: auth.PermJobWrite, targets: byID("id", auth.ResourceJob), action: "update"},
	pkg + "JobService/ValidateJobMappings":              {perm: auth.PermJobWrite, targets: acct("account_id")},
	pkg + "JobService/GetJobPlan":                       {perm: auth.PermRead, targets: byID("id", auth.ResourceJob)},
	pkg + "JobService/GetJobNextRuns":                   {perm: auth.PermRead, targets: byID("job_id", auth.ResourceJob)},

	// JobService: runs
	pkg + "JobService/CreateJobRun":     {perm: auth.PermRunExecute, targets: byID("job_id", auth.ResourceJob), action: "run", resource: "run"},
	pkg + "JobService/GetJobRuns":       {perm: auth.PermRead, targets: []field{{"job_id", auth.ResourceJob}, {"account_id", auth.ResourceAccount}}},
	pkg + "JobService/GetJobRun":        {perm: auth.PermRead, targets: byID("job_run_id", auth.ResourceRun)},
	pkg + "JobService/GetJobRunEvents":  {perm: auth.PermRead, targets: byID("job_run_id", auth.ResourceRun)},
	pkg + "JobService/GetJobRunLogs":    {perm: auth.PermRead, targets: byID("job_run_id", auth.ResourceRun)},
	pkg + "JobService/GetUsage":         {perm: auth.PermRead, targets: acct("account_id")},
	pkg + "JobService/CancelJobRun":     {perm: auth.PermRunExecute, targets: byID("job_run_id", auth.ResourceRun), action: "cancel"},
	pkg + "JobService/TerminateJobRun":  {perm: auth.PermRunExecute, targets: byID("job_run_id", auth.ResourceRun), action: "terminate"},
	pkg + "JobService/DeleteJobRun":     {perm: auth.PermJobWrite, targets: byID("job_run_id", auth.ResourceRun), action: "delete"},
	pkg + "JobService/GetJobRecentRuns": {perm: auth.PermRead, targets: byID("job_id", auth.ResourceJob)},

	// TransformersService
	pkg + "TransformersService/GetSystemTransformers":         {self: true},
	pkg + "TransformersService/GetSystemTransformerBySource":  {self: true},
	pkg + "TransformersService/GetUserDefinedTransformers":    {perm: auth.PermRead, targets: acct("account_id")},
	pkg + "TransformersService/GetUserDefinedTransformerById": {perm: auth.PermRead, targets: byID("transformer_id", auth.ResourceTransformer)},
	pkg + "TransformersService/CreateUserDefinedTransformer":  {perm: auth.PermTransformerWrite, targets: acct("account_id"), action: "create", resource: "transformer"},
	pkg + "TransformersService/UpdateUserDefinedTransformer":  {perm: auth.PermTransformerWrite, targets: byID("transformer_id", auth.ResourceTransformer), action: "update"},
	pkg + "TransformersService/DeleteUserDefinedTransformer":  {perm: auth.PermTransformerWrite, targets: byID("transformer_id", auth.ResourceTransformer), action: "delete"},
	pkg + "TransformersService/IsTransformerNameAvailable":    {perm: auth.PermRead, targets: acct("account_id")},
	pkg + "TransformersService/ValidateUserJavascriptCode":    {perm: auth.PermTransformerWrite, targets: acct("account_id")},
	pkg + "TransformersService/ValidateUserRegexCode":         {perm: auth.PermTransformerWrite, targets: acct("account_id")},
	pkg + "TransformersService/PreviewTransformer":            {perm: auth.PermTransformerWrite, targets: acct("account_id")},

	// AnonymizationService
	pkg + "AnonymizationService/AnonymizeMany":   {perm: auth.PermRunExecute, targets: acct("account_id")},
	pkg + "AnonymizationService/AnonymizeSingle": {perm: auth.PermRunExecute, targets: acct("account_id")},
}

// target reads the first set target field of msg. ok is false when none is
// set or the value is not a UUID: the handler then reports the bad field.
func (r rule) target(msg any) (auth.Target, bool) {
	m, isProto := msg.(proto.Message)
	if !isProto {
		return auth.Target{}, false
	}
	pr := m.ProtoReflect()
	for _, f := range r.targets {
		fd := pr.Descriptor().Fields().ByName(f.name)
		if fd == nil || fd.Kind() != protoreflect.StringKind || !pr.Has(fd) {
			continue
		}
		id, err := uuid.Parse(pr.Get(fd).String())
		if err != nil {
			return auth.Target{}, false
		}
		return auth.Target{Resource: f.resource, ID: id}, true
	}
	return auth.Target{}, false
}
