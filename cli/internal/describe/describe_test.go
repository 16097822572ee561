package describe

import (
	"testing"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

func TestConnectionTarget(t *testing.T) {
	t.Parallel()
	pgURL := func(u string) *mgmtv1alpha1.ConnectionConfig {
		return &mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_PgConfig{PgConfig: &mgmtv1alpha1.PostgresConnectionConfig{
			ConnectionConfig: &mgmtv1alpha1.PostgresConnectionConfig_Url{Url: u}}}}
	}
	myURL := func(u string) *mgmtv1alpha1.ConnectionConfig {
		return &mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_MysqlConfig{MysqlConfig: &mgmtv1alpha1.MysqlConnectionConfig{
			ConnectionConfig: &mgmtv1alpha1.MysqlConnectionConfig_Url{Url: u}}}}
	}
	fields := &mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_MysqlConfig{MysqlConfig: &mgmtv1alpha1.MysqlConnectionConfig{
		ConnectionConfig: &mgmtv1alpha1.MysqlConnectionConfig_Connection{Connection: &mgmtv1alpha1.MysqlConnection{User: "root", Pass: "********", Host: "127.0.0.1", Port: 3306, Name: "stage"}}}}}
	tests := []struct {
		cfg        *mgmtv1alpha1.ConnectionConfig
		kind, want string
	}{
		{pgURL("postgres://app:********@db:5432/app?sslmode=require"), "postgres", "app@db:5432/app"},
		{pgURL("host=db port=5433 user=app dbname=app password=********"), "postgres", "app@db:5433/app"},
		{myURL("root:********@tcp(127.0.0.1:3306)/stage?parseTime=true"), "mysql", "root@tcp(127.0.0.1:3306)/stage"},
		{fields, "mysql", "root@127.0.0.1:3306/stage"},
		{&mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_PgConfig{PgConfig: &mgmtv1alpha1.PostgresConnectionConfig{
			ConnectionConfig: &mgmtv1alpha1.PostgresConnectionConfig_UrlFromEnv{UrlFromEnv: "NEOSYNC_URL_PROD"}}}}, "postgres", "$NEOSYNC_URL_PROD"},
	}
	for _, tc := range tests {
		if got := ConnectionTarget(tc.cfg); got != tc.want {
			t.Errorf("ConnectionTarget = %q, want %q", got, tc.want)
		}
		if got := ConnectionType(tc.cfg); got != tc.kind {
			t.Errorf("ConnectionType = %q, want %q", got, tc.kind)
		}
	}
}

func TestRunStatus(t *testing.T) {
	t.Parallel()
	if got := RunStatus(mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_TERMINATED); got != "terminated" {
		t.Errorf("RunStatus = %q", got)
	}
	if IsTerminal(mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_RUNNING) || !IsTerminal(mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_FAILED) {
		t.Error("IsTerminal")
	}
}
