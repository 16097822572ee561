package protoconv

import (
	"errors"
	"reflect"
	"testing"
	"time"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
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
	s3 := &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_AwsS3Config{AwsS3Config: &mgmt.AwsS3ConnectionConfig{}}}
	if _, err := ConnectionConfig(s3); !errors.Is(err, ErrUnsupported) {
		t.Errorf("s3: %v", err)
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
