package plan

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/cli/internal/spec"
)

func pgURL(u string) *mgmtv1alpha1.ConnectionConfig {
	return &mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_PgConfig{PgConfig: &mgmtv1alpha1.PostgresConnectionConfig{
		ConnectionConfig: &mgmtv1alpha1.PostgresConnectionConfig_Url{Url: u},
	}}}
}

func pgFields(host, pass string, opts *mgmtv1alpha1.SqlConnectionOptions) *mgmtv1alpha1.ConnectionConfig {
	return &mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_PgConfig{PgConfig: &mgmtv1alpha1.PostgresConnectionConfig{
		ConnectionConfig:  &mgmtv1alpha1.PostgresConnectionConfig_Connection{Connection: &mgmtv1alpha1.PostgresConnection{Host: host, User: "u", Pass: pass, Name: "db"}},
		ConnectionOptions: opts,
	}}}
}

// stored is what the API returns for a saved config: secrets masked.
func stored(c *mgmtv1alpha1.ConnectionConfig) *mgmtv1alpha1.ConnectionConfig {
	out := proto.Clone(c).(*mgmtv1alpha1.ConnectionConfig)
	pg := out.GetPgConfig()
	switch cc := pg.GetConnectionConfig().(type) {
	case *mgmtv1alpha1.PostgresConnectionConfig_Url:
		cc.Url = sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: cc.Url}.Masked().URL
	case *mgmtv1alpha1.PostgresConnectionConfig_Connection:
		if cc.Connection.Pass != "" {
			cc.Connection.Pass = sqlconnect.Mask
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func TestConnectionDiff(t *testing.T) {
	t.Parallel()
	withPass := pgURL("postgres://app:s3cr%2Ft@db:5432/app?sslmode=require")
	tests := []struct {
		name          string
		want, have    *mgmtv1alpha1.ConnectionConfig
		updateSecrets bool
		diff          []string
	}{
		{"same url with password", withPass, stored(withPass), false, nil},
		{"password change is invisible", pgURL("postgres://app:other@db:5432/app?sslmode=require"), stored(withPass), false, nil},
		{"update-secrets forces it", withPass, stored(withPass), true, []string{"secrets"}},
		{"update-secrets ignores secretless", pgURL("postgres://app@db/app"), stored(pgURL("postgres://app@db/app")), true, nil},
		{"host in url", pgURL("postgres://app:x@db2:5432/app?sslmode=require"), stored(withPass), false, []string{"url"}},
		{"url to fields", pgFields("db", "x", nil), stored(withPass), false, []string{"url", "host", "database", "user", "password"}},
		{"fields host", pgFields("db2", "x", nil), stored(pgFields("db", "x", nil)), false, []string{"host"}},
		{"durations normalized", pgFields("db", "", &mgmtv1alpha1.SqlConnectionOptions{MaxIdleDuration: ptr("5m")}),
			pgFields("db", "", &mgmtv1alpha1.SqlConnectionOptions{MaxIdleDuration: ptr("5m0s")}), false, nil},
		{"pool change", pgFields("db", "", &mgmtv1alpha1.SqlConnectionOptions{MaxConnectionLimit: ptr(int32(5))}), pgFields("db", "", nil), false, []string{"pool"}},
		{"type change", &mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_MysqlConfig{MysqlConfig: &mgmtv1alpha1.MysqlConnectionConfig{
			ConnectionConfig: &mgmtv1alpha1.MysqlConnectionConfig_Url{Url: "mysql://app@db/app"}}}}, pgURL("postgres://app@db/app"), false, []string{"type", "url"}},
		{"same bucket, secret masked", bucket("exports", "a", "s3cr3t"), bucket("exports", "a", sqlconnect.Mask), false, nil},
		{"bucket and prefix change", bucket("exports2", "b", "s3cr3t"), bucket("exports", "a", sqlconnect.Mask), false, []string{"bucket", "path_prefix"}},
		{"bucket secrets forced", bucket("exports", "a", "s3cr3t"), bucket("exports", "a", sqlconnect.Mask), true, []string{"secrets"}},
		{"database to bucket", bucket("exports", "", ""), pgURL("postgres://app@db/app"), false, []string{"type", "url", "bucket", "endpoint", "force_path_style"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ConnectionDiff(tc.want, tc.have, tc.updateSecrets)
			if !slices.Equal(got, tc.diff) {
				t.Fatalf("diff %v, want %v", got, tc.diff)
			}
		})
	}
}

func mustStruct(m map[string]any) *structpb.Struct {
	s, err := structpb.NewStruct(m)
	if err != nil {
		panic(err)
	}
	return s
}

func definition() *spec.JobDefinition {
	return &spec.JobDefinition{
		Name: "nightly",
		Source: &mgmtv1alpha1.JobSource{Options: &mgmtv1alpha1.JobSource_Sync{Sync: &mgmtv1alpha1.SyncSourceOptions{
			ConnectionId: "src", Subsets: []*mgmtv1alpha1.JobSourceSubset{{Schema: "public", Table: "users", WhereClause: "id < 10"}},
		}}},
		Destinations: []*mgmtv1alpha1.JobDestinationCreate{
			{ConnectionId: "d1", Options: &mgmtv1alpha1.JobDestinationOptions{TruncateBeforeInsert: true}},
			{ConnectionId: "d2"},
		},
		Mappings: []*mgmtv1alpha1.JobMapping{
			{Schema: "public", Table: "users", Column: "id", Transformer: &mgmtv1alpha1.JobMappingTransformer{Source: "passthrough", Config: mustStruct(map[string]any{})}},
			{Schema: "public", Table: "users", Column: "email", Transformer: &mgmtv1alpha1.JobMappingTransformer{Source: "transform_email", Config: mustStruct(map[string]any{"preserve_domain": true, "max": 5})}},
		},
		CronSchedule:    nil,
		WorkflowOptions: &mgmtv1alpha1.WorkflowOptions{},
		SyncOptions:     &mgmtv1alpha1.ActivityOptions{},
	}
}

// storedJob is the job the API returns for definition(): destinations get
// ids, mappings come back in another order with empty configs dropped.
func storedJob() *mgmtv1alpha1.Job {
	d := definition()
	j := &mgmtv1alpha1.Job{
		Id: "job", Name: d.Name, Source: d.Source,
		Mappings: []*mgmtv1alpha1.JobMapping{
			{Schema: "public", Table: "users", Column: "email", Transformer: &mgmtv1alpha1.JobMappingTransformer{Source: "transform_email", Config: mustStruct(map[string]any{"max": 5.0, "preserve_domain": true})}},
			{Schema: "public", Table: "users", Column: "id", Transformer: &mgmtv1alpha1.JobMappingTransformer{Source: "passthrough"}},
		},
		WorkflowOptions: &mgmtv1alpha1.WorkflowOptions{},
		SyncOptions:     &mgmtv1alpha1.ActivityOptions{},
		Destinations: []*mgmtv1alpha1.JobDestination{
			{Id: "dest-2", ConnectionId: "d2", Options: &mgmtv1alpha1.JobDestinationOptions{}},
			{Id: "dest-1", ConnectionId: "d1", Options: &mgmtv1alpha1.JobDestinationOptions{TruncateBeforeInsert: true}},
		},
	}
	return proto.Clone(j).(*mgmtv1alpha1.Job)
}

func TestDiffJob(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		change  func(d *spec.JobDefinition)
		details []string
		check   func(t *testing.T, d JobDiff)
	}{
		{"unchanged", func(*spec.JobDefinition) {}, nil, nil},
		{"nil options equal empty", func(d *spec.JobDefinition) { d.WorkflowOptions, d.SyncOptions = nil, nil }, nil, nil},
		{"schedule", func(d *spec.JobDefinition) { d.CronSchedule = ptr("@daily") }, []string{"schedule"}, func(t *testing.T, d JobDiff) {
			if !d.Schedule || d.Source {
				t.Errorf("%+v", d)
			}
		}},
		{"empty schedule is no schedule", func(d *spec.JobDefinition) { d.CronSchedule = ptr("") }, nil, nil},
		{"transformer config", func(d *spec.JobDefinition) {
			d.Mappings[1].Transformer.Config = mustStruct(map[string]any{"preserve_domain": false, "max": 5})
		}, []string{"mappings"}, func(t *testing.T, d JobDiff) {
			if !d.Source {
				t.Error("mappings change must resend the source")
			}
		}},
		{"mapping removed", func(d *spec.JobDefinition) { d.Mappings = d.Mappings[:1] }, []string{"mappings"}, nil},
		{"subset", func(d *spec.JobDefinition) { d.Source.GetSync().Subsets = nil }, []string{"source"}, nil},
		{"source connection", func(d *spec.JobDefinition) { d.Source.GetSync().ConnectionId = "other" }, []string{"source"}, nil},
		{"virtual foreign key", func(d *spec.JobDefinition) {
			d.VirtualForeignKeys = []*mgmtv1alpha1.VirtualForeignConstraint{{Schema: "public", Table: "o", Columns: []string{"u"}, ReferencedSchema: "public", ReferencedTable: "users", ReferencedColumns: []string{"id"}}}
		}, []string{"virtual_foreign_keys"}, nil},
		{"run timeout", func(d *spec.JobDefinition) { d.WorkflowOptions.RunTimeoutSeconds = ptr(int64(60)) }, []string{"workflow_options"}, nil},
		{"max attempts", func(d *spec.JobDefinition) { d.SyncOptions.MaxAttempts = ptr(int32(2)) }, []string{"sync_options"}, nil},
		{"destinations", func(d *spec.JobDefinition) {
			d.Destinations = []*mgmtv1alpha1.JobDestinationCreate{
				{ConnectionId: "d1", Options: &mgmtv1alpha1.JobDestinationOptions{OnConflict: "do_nothing"}},
				{ConnectionId: "d3"},
			}
		}, []string{"destinations"}, func(t *testing.T, d JobDiff) {
			if len(d.AddDestinations) != 1 || d.AddDestinations[0].GetConnectionId() != "d3" {
				t.Errorf("add %v", d.AddDestinations)
			}
			if len(d.UpdateDestinations) != 1 || d.UpdateDestinations[0].DestinationID != "dest-1" || d.UpdateDestinations[0].Options.GetOnConflict() != "do_nothing" {
				t.Errorf("update %v", d.UpdateDestinations)
			}
			if !slices.Equal(d.RemoveDestinations, []string{"dest-2"}) {
				t.Errorf("remove %v", d.RemoveDestinations)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			def := definition()
			tc.change(def)
			d := DiffJob(def, storedJob())
			if !slices.Equal(d.Details, tc.details) {
				t.Fatalf("details %v, want %v", d.Details, tc.details)
			}
			if d.Empty() != (len(tc.details) == 0) {
				t.Fatalf("Empty() = %v", d.Empty())
			}
			if tc.check != nil {
				tc.check(t, d)
			}
		})
	}
}

func TestChangeLines(t *testing.T) {
	t.Parallel()
	changes := []Change{
		{Kind: "connection", Name: "prod", Action: Create},
		{Kind: "job", Name: "nightly", Action: Update, Details: []string{"schedule", "mappings"}},
		{Kind: "connection", Name: "stage", Action: Unchanged},
	}
	var plan, applied []string
	for _, c := range changes {
		plan = append(plan, c.Line(false))
		applied = append(applied, c.Line(true))
	}
	if got := strings.Join(plan, "\n"); got != "+ connection prod: create\n~ job nightly: update (schedule, mappings)\n= connection stage: unchanged" {
		t.Errorf("plan:\n%s", got)
	}
	if got := strings.Join(applied, "\n"); got != "+ connection prod: created\n~ job nightly: updated (schedule, mappings)\n= connection stage: unchanged" {
		t.Errorf("applied:\n%s", got)
	}
	if c, u, n := Summary(changes); c != 1 || u != 1 || n != 1 {
		t.Errorf("Summary = %d %d %d", c, u, n)
	}
}

func bucket(name, prefix, secret string) *mgmtv1alpha1.ConnectionConfig {
	c := &mgmtv1alpha1.AwsS3ConnectionConfig{Bucket: name, ForcePathStyle: true, Endpoint: ptr("http://127.0.0.1:7070")}
	if prefix != "" {
		c.PathPrefix = &prefix
	}
	if secret != "" {
		c.Credentials = &mgmtv1alpha1.AwsS3Credentials{AccessKeyId: ptr("AKIA"), SecretAccessKey: &secret}
	}
	return &mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_AwsS3Config{AwsS3Config: c}}
}
