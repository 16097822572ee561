package protoconv

import (
	"encoding/base64"
	"errors"
	"reflect"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/jobresolve"
	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

func ptr[T any](v T) *T { return &v }

func TestConnectionConfig(t *testing.T) {
	t.Parallel()
	pg := func(p *mgmt.PostgresConnectionConfig) *mgmt.ConnectionConfig {
		return &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_PgConfig{PgConfig: p}}
	}
	good, err := ConnectionConfig(pg(&mgmt.PostgresConnectionConfig{
		ConnectionConfig:  &mgmt.PostgresConnectionConfig_Url{Url: "postgres://u@h/db"},
		ConnectionOptions: &mgmt.SqlConnectionOptions{MaxConnectionLimit: ptr(int32(5)), MaxIdleDuration: ptr("30s")},
	}))
	if err != nil || good.Driver != sqlconnect.DriverPostgres || good.Pool.MaxOpen != 5 || good.Pool.MaxIdleTime != 30*time.Second {
		t.Fatalf("good config = %+v, %v", good, err)
	}
	for name, tc := range map[string]struct {
		in    *mgmt.ConnectionConfig
		field string
	}{
		"none":         {&mgmt.ConnectionConfig{}, ""},
		"empty url":    {pg(&mgmt.PostgresConnectionConfig{ConnectionConfig: &mgmt.PostgresConnectionConfig_Url{}}), "pg_config.url"},
		"no url/field": {pg(&mgmt.PostgresConnectionConfig{}), "pg_config"},
		"bad duration": {pg(&mgmt.PostgresConnectionConfig{ConnectionConfig: &mgmt.PostgresConnectionConfig_Url{Url: "postgres://h"},
			ConnectionOptions: &mgmt.SqlConnectionOptions{MaxOpenDuration: ptr("forever")}}), "pg_config.connection_options.max_open_duration"},
	} {
		_, err := ConnectionConfig(tc.in)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("%s: err = %v, want a FieldError on %q", name, err, tc.field)
		}
	}
}

func TestS3ConfigRoundTrip(t *testing.T) {
	t.Parallel()
	in := &mgmt.AwsS3ConnectionConfig{Bucket: "exports", PathPrefix: ptr("team/a"), Region: ptr("eu-west-1"), Endpoint: ptr("http://127.0.0.1:9000"), ForcePathStyle: true,
		Credentials: &mgmt.AwsS3Credentials{AccessKeyId: ptr("AKIA"), SecretAccessKey: ptr("secret"), SessionToken: ptr("token")}}
	cfg, err := ConnectionConfig(&mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_AwsS3Config{AwsS3Config: in}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Driver != sqlconnect.DriverS3 || cfg.S3 == nil || cfg.S3.SecretAccessKey != "secret" || !cfg.S3.ForcePathStyle {
		t.Fatalf("converted = %+v", cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if back := S3ConfigToProto(cfg.S3); !proto.Equal(back, in) {
		t.Fatalf("round trip = %v, want %v", back, in)
	}
}

func TestDestinationOptions(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		in   *mgmt.JobDestinationOptions
		want syncplan.DestinationOptions
	}{
		"nil":   {nil, syncplan.DestinationOptions{}},
		"empty": {&mgmt.JobDestinationOptions{}, syncplan.DestinationOptions{}},
		"all set": {
			&mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true, TruncateCascade: true, OnConflict: "do_nothing", BatchSize: 500},
			syncplan.DestinationOptions{InitSchema: true, Truncate: true, TruncateCascade: true, OnConflict: syncplan.ConflictDoNothing, BatchSize: 500},
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := DestinationOptions(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("DestinationOptions(%v) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestDefinition(t *testing.T) {
	t.Parallel()
	cfg, err := structpb.NewStruct(map[string]any{"preserve_domain": true})
	if err != nil {
		t.Fatal(err)
	}
	users := sqlschema.TableName{Schema: "public", Table: "users"}
	orders := sqlschema.TableName{Schema: "public", Table: "orders"}
	mappings := []*mgmt.JobMapping{
		{Schema: "public", Table: "users", Column: "email", Transformer: &mgmt.JobMappingTransformer{Source: "transform_email", Config: cfg}},
		{Schema: "public", Table: "users", Column: "ssn", Transformer: &mgmt.JobMappingTransformer{UserDefinedTransformerId: ptr("udt")}},
	}
	wantMappings := []jobresolve.Mapping{
		{Schema: "public", Table: "users", Column: "email", Transformer: syncplan.Transformer{Source: "transform_email", Params: map[string]any{"preserve_domain": true}}},
		{Schema: "public", Table: "users", Column: "ssn", UserDefinedID: "udt"},
	}
	dests := []*mgmt.JobDestination{{ConnectionId: "dst", Options: &mgmt.JobDestinationOptions{TruncateBeforeInsert: true}}}
	wantDests := []jobresolve.Destination{{ConnectionID: "dst", Options: syncplan.DestinationOptions{Truncate: true}}}
	for name, tc := range map[string]struct {
		in   *mgmt.Job
		want jobresolve.Definition
	}{
		"sync": {
			in: &mgmt.Job{Name: "nightly", TransformerKey: ptr(base64.StdEncoding.EncodeToString([]byte("key"))),
				Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: "src",
					Subsets: []*mgmt.JobSourceSubset{{Schema: "public", Table: "users", WhereClause: "id < 10"}}, SubsetByForeignKeyConstraints: true, HaltOnNewColumnAddition: true,
					ConsistentPrf: mgmt.ConsistentPrf_CONSISTENT_PRF_V2, LeakPolicy: &mgmt.LeakPolicy{FailRate: ptr(0.1)}}}},
				Mappings: mappings, Destinations: dests,
				VirtualForeignKeys: []*mgmt.VirtualForeignConstraint{{Schema: "public", Table: "orders", Columns: []string{"user_id"}, ReferencedSchema: "public", ReferencedTable: "users", ReferencedColumns: []string{"id"}}},
			},
			want: jobresolve.Definition{Name: "nightly", Key: []byte("key"),
				Sync: &jobresolve.SyncSource{ConnectionID: "src", Subsets: []syncplan.Subset{{Schema: "public", Table: "users", Where: "id < 10"}}, SubsetByForeignKeys: true, HaltOnNewColumn: true,
					PRF: transformers.PRFv2, LeakPolicy: leakscan.Policy{FailRate: 0.1}},
				Mappings: wantMappings, Destinations: wantDests,
				VirtualForeignKeys: []syncplan.VirtualForeignKey{{Table: orders, Columns: []string{"user_id"}, Referenced: users, ReferencedColumns: []string{"id"}}},
			},
		},
		"generate": {
			in: &mgmt.Job{Name: "seed", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Generate{Generate: &mgmt.GenerateSourceOptions{FkSourceConnectionId: "src",
				Tables: []*mgmt.GenerateSourceTable{{Schema: "public", Table: "users", RowCount: 7}}}}}, Mappings: mappings, Destinations: dests},
			want: jobresolve.Definition{Name: "seed", Generate: &jobresolve.GenerateSource{SchemaConnectionID: "src", Tables: []jobresolve.GenerateTable{{Table: users, RowCount: 7}}},
				Mappings: wantMappings, Destinations: wantDests},
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := Definition(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Definition =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
	if _, err := Definition(&mgmt.Job{Name: "bad", TransformerKey: ptr("not base64!")}); err == nil || err.Error() != "job bad: transformer key is not base64" {
		t.Errorf("bad key: err = %v", err)
	}
}

func TestConnectionAndTransformer(t *testing.T) {
	t.Parallel()
	pg := &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_PgConfig{PgConfig: &mgmt.PostgresConnectionConfig{ConnectionConfig: &mgmt.PostgresConnectionConfig_Url{Url: "postgres://h/db"}}}}
	if c := Connection(&mgmt.Connection{Name: "prod", ConnectionConfig: pg}); c.Name != "prod" || c.Err != nil || c.Config.URL != "postgres://h/db" {
		t.Errorf("Connection = %+v", c)
	}
	var fe *FieldError
	if c := Connection(&mgmt.Connection{Name: "broken", ConnectionConfig: &mgmt.ConnectionConfig{}}); c.Name != "broken" || !errors.As(c.Err, &fe) {
		t.Errorf("Connection of an empty config = %+v, want its FieldError", c)
	}
	cfg, err := structpb.NewStruct(map[string]any{"algo": "sha256"})
	if err != nil {
		t.Fatal(err)
	}
	got := Transformer(&mgmt.UserDefinedTransformer{Source: "transform_hash", Config: cfg})
	if want := (syncplan.Transformer{Source: "transform_hash", Params: map[string]any{"algo": "sha256"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("Transformer = %+v, want %+v", got, want)
	}
}
