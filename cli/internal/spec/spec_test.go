package spec

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
)

func envOf(m map[string]string) LookupEnv {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func readExample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/neosync.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseExample(t *testing.T) {
	t.Parallel()
	f, err := Parse("neosync.yaml", readExample(t), envOf(map[string]string{"PROD_PASSWORD": "p@ss:word"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Connections) != 3 || len(f.Jobs) != 2 {
		t.Fatalf("got %d connections, %d jobs", len(f.Connections), len(f.Jobs))
	}
	if got := f.Connections[0].Postgres.URL; got != "postgres://app:p@ss:word@db.internal:5432/app?sslmode=require" {
		t.Errorf("expanded url %q", got)
	}
	if got := f.Connections[1].Postgres.Port; got != 5432 {
		t.Errorf("default port %d", got)
	}
	cols := f.Jobs[0].Mappings[0].Columns
	var order []string
	for _, c := range cols {
		order = append(order, c.Column)
	}
	if strings.Join(order, ",") != "id,email,full_name,ssn" {
		t.Errorf("column order %v", order)
	}
	if cols[0].Transformer.Source != "passthrough" || cols[1].Transformer.Config["preserve_domain"] != true || cols[3].Transformer.UserDefined != "company-ssn" {
		t.Errorf("transformers %+v", cols)
	}
}

// TestReadmeExample keeps the README's example parseable.
func TestReadmeExample(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```yaml\n# neosync.yaml\n")
	if !ok {
		t.Fatal("README has no ```yaml block starting with # neosync.yaml")
	}
	block, _, _ = strings.Cut(block, "```")
	env := envOf(map[string]string{"PROD_DATABASE_URL": "postgres://u:p@h:5432/db", "STAGE_PASSWORD": "x"})
	if _, err := Parse("README.md", []byte(block), env); err != nil {
		t.Fatal(err)
	}
}

func TestExpand(t *testing.T) {
	t.Parallel()
	env := envOf(map[string]string{"A": "a", "EMPTY": ""})
	tests := []struct{ in, want, err string }{
		{"${A}", "a", ""},
		{"x-${A}-y", "x-a-y", ""},
		{"${MISSING:-dflt}", "dflt", ""},
		{"${EMPTY:-dflt}", "dflt", ""},
		{"${EMPTY}", "", ""},
		{"pa$word", "pa$word", ""},
		{"$${A}", "${A}", ""},
		{"${MISSING}", "", "environment variable MISSING is not set"},
		{"${1BAD}", "", "not a valid variable reference"},
	}
	for _, tc := range tests {
		got, err := Expand(tc.in, env)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Expand(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	const conn = "connections:\n  - name: c\n    postgres: {url: \"postgres://h/db\"}\n"
	const job = "jobs:\n  - name: j\n    source: {connection: a}\n    destinations: [{connection: b}]\n"
	tests := []struct {
		name, doc, want string
	}{
		{"empty", "", "the document is empty"},
		{"not a mapping", "- a\n", "must be a mapping"},
		{"bad yaml", "connections: [\n", "neosync.yaml:"},
		{"unknown top field", "conections: []\n", `line 1: unknown field "conections"`},
		{"unknown nested field", "connections:\n  - name: c\n    postgres:\n      urll: x\n", `line 4: unknown field "urll"`},
		{"unknown destination field", job + "    x: 1\n", `unknown field "x"`},
		{"typo in destination", "jobs:\n  - name: j\n    source: {connection: a}\n    destinations: [{connection: b, trucate_before_insert: true}]\n", `unknown field "trucate_before_insert"`},
		{"unset variable", "connections:\n  - name: c\n    postgres: {url: \"${NOPE}\"}\n", "line 3: environment variable NOPE is not set"},
		{"nothing declared", "version: 1\n", "declares no connections and no jobs"},
		{"bad version", "version: 2\n" + conn, "version 2 is not supported"},
		{"no dialect", "connections:\n  - name: c\n", `connection "c": set exactly one of postgres, mysql or s3`},
		{"both dialects", "connections:\n  - name: c\n    postgres: {url: x}\n    mysql: {url: y}\n", "exactly one of postgres, mysql or s3"},
		{"s3 and postgres", "connections:\n  - name: c\n    postgres: {url: x}\n    s3: {bucket: exports}\n", "exactly one of postgres, mysql or s3"},
		{"bad bucket", "connections:\n  - name: c\n    s3: {bucket: Bad_Bucket}\n", "s3.bucket"},
		{"s3 key without secret", "connections:\n  - name: c\n    s3: {bucket: exports, access_key_id: AKIA}\n", "s3.credentials"},
		{"bad export format", "jobs:\n  - name: j\n    source: {connection: a}\n    destinations: [{connection: b, export_formats: [csv]}]\n", "destinations[0].export_formats"},
		{"bad export codec", "jobs:\n  - name: j\n    source: {connection: a}\n    destinations: [{connection: b, export_compression: lz4}]\n", "destinations[0].export_compression"},
		{"import without job", "jobs:\n  - name: j\n    source: {connection: a, s3_import: {run_id: r}}\n    destinations: [{connection: b}]\n", "source.s3_import.export_job"},
		{"bad name", "connections:\n  - name: 'has space'\n    postgres: {url: x}\n", "name must be"},
		{"duplicate connection", conn + "  - name: c\n    postgres: {url: \"postgres://h/db\"}\n", `connection "c" is declared twice`},
		{"url and fields", "connections:\n  - name: c\n    postgres: {url: x, host: h}\n", "not both"},
		{"url_from_env and url", "connections:\n  - name: c\n    postgres: {url_from_env: NEOSYNC_URL_PROD, url: x}\n", "url_from_env: names where the worker finds the whole URL"},
		{"url_from_env outside the prefix", "connections:\n  - name: c\n    mysql: {url_from_env: DATABASE_URL}\n", `"DATABASE_URL" must be NEOSYNC_URL_`},
		{"missing user", "connections:\n  - name: c\n    postgres: {host: h}\n", "postgres.user: is required"},
		{"wrong scheme", "connections:\n  - name: c\n    postgres: {url: \"mysql://h/db\"}\n", "starts with postgres://"},
		{"ssl mode on mysql", "connections:\n  - name: c\n    mysql: {host: h, user: u, ssl_mode: disable}\n", "applies to postgres only"},
		{"bad ssl mode", "connections:\n  - name: c\n    postgres: {host: h, user: u, ssl_mode: maybe}\n", `"maybe" is not one of`},
		{"bad duration", "connections:\n  - name: c\n    postgres: {url: x, pool: {max_lifetime: soon}}\n", "max_lifetime"},
		{"port not a number", "connections:\n  - name: c\n    postgres: {host: h, user: u, port: abc}\n", "cannot unmarshal"},
		{"no source", "jobs:\n  - name: j\n    destinations: [{connection: b}]\n", "source (a sync job) or generate"},
		{"no destinations", "jobs:\n  - name: j\n    source: {connection: a}\n", "needs at least one destination"},
		{"destination is source", "jobs:\n  - name: j\n    source: {connection: a}\n    destinations: [{connection: a}]\n", "is the job's source"},
		{"bad on_conflict", "jobs:\n  - name: j\n    source: {connection: a}\n    destinations: [{connection: b, on_conflict: replace}]\n", "on_conflict"},
		{"cascade without truncate", "jobs:\n  - name: j\n    source: {connection: a}\n    destinations: [{connection: b, truncate_cascade: true}]\n", "requires truncate_before_insert"},
		{"empty where", job + "    mappings: []\n", ""},
		{"mapping without columns", job + "    mappings: [{schema: public, table: t}]\n", "columns needs at least one column"},
		{"column mapped twice", job + "    mappings:\n      - {schema: public, table: t, columns: {a: passthrough}}\n      - {schema: public, table: t, columns: {a: passthrough}}\n", "public.t.a: column is mapped twice"},
		{"transformer unknown key", job + "    mappings:\n      - schema: public\n        table: t\n        columns:\n          a: {source: x, cfg: {}}\n", `line 9: unknown field "cfg" in a transformer`},
		{"user_defined with config", job + "    mappings:\n      - schema: public\n        table: t\n        columns:\n          a: {user_defined: x, config: {a: 1}}\n", "do not also set source or config"},
		{"bad timeout", job + "    workflow_options: {run_timeout: 1.5s}\n", "whole number of seconds"},
		{"vfk lengths", job + "    virtual_foreign_keys: [{schema: s, table: t, columns: [a, b], references: {schema: s, table: u, columns: [id]}}]\n", "equal length"},
		{"duplicate job", job + "  - name: j\n    source: {connection: a}\n    destinations: [{connection: b}]\n", `job "j" is declared twice`},
		{"range_rows too small", "jobs:\n  - name: j\n    source: {connection: a, range_rows: 100}\n    destinations: [{connection: b}]\n", "source.range_rows is 100; use 5000 to 1000000000 rows"},
		{"range_rows not a number", "jobs:\n  - name: j\n    source: {connection: a, range_rows: many}\n    destinations: [{connection: b}]\n", "cannot unmarshal"},
		{"generate without tables", "jobs:\n  - name: j\n    generate: {connection: a}\n    destinations: [{connection: b}]\n", "generate.tables needs at least one table"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("neosync.yaml", []byte(tc.doc), envOf(nil))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			if !strings.HasPrefix(err.Error(), "neosync.yaml") {
				t.Fatalf("error does not name the file: %q", err)
			}
		})
	}
}

func TestTypedVariable(t *testing.T) {
	t.Parallel()
	doc := "connections:\n  - name: c\n    postgres:\n      host: h\n      user: u\n      port: \"${P}\"\n      password: ${PW}\n"
	f, err := Parse("f.yaml", []byte(doc), envOf(map[string]string{"P": "6543", "PW": "123456"}))
	if err != nil {
		t.Fatal(err)
	}
	if c := f.Connections[0].Postgres; c.Port != 6543 || c.Password != "123456" {
		t.Fatalf("got port %d password %q", c.Port, c.Password)
	}
}

type fakeResolver map[string]string

func (r fakeResolver) ConnectionID(name string) (string, error) {
	if id, ok := r[name]; ok {
		return id, nil
	}
	return "", errors.New("no connection named " + name)
}

func (r fakeResolver) UserDefinedTransformer(name string) (string, string, error) {
	if name == "company-ssn" {
		return "udt-1", "transform_ssn", nil
	}
	return "", "", errors.New("no user-defined transformer named " + name)
}

func TestDefinition(t *testing.T) {
	t.Parallel()
	f, err := Parse("neosync.yaml", readExample(t), envOf(map[string]string{"PROD_PASSWORD": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	r := fakeResolver{"prod": "c-prod", "stage": "c-stage", "analytics": "c-an"}
	d, err := f.Jobs[0].Definition(r)
	if err != nil {
		t.Fatal(err)
	}
	sync := d.Source.GetSync()
	if sync.GetConnectionId() != "c-prod" || !sync.GetSubsetByForeignKeyConstraints() || len(sync.GetSubsets()) != 1 {
		t.Errorf("source %v", sync)
	}
	if len(d.Destinations) != 2 || d.Destinations[1].GetConnectionId() != "c-an" || d.Destinations[1].GetOptions().GetBatchSize() != 5000 {
		t.Errorf("destinations %v", d.Destinations)
	}
	if len(d.Mappings) != 5 {
		t.Fatalf("mappings %v", d.Mappings)
	}
	ssn := d.Mappings[3].GetTransformer()
	if ssn.GetUserDefinedTransformerId() != "udt-1" || ssn.GetSource() != "transform_ssn" {
		t.Errorf("user-defined mapping %v", ssn)
	}
	if d.WorkflowOptions.GetRunTimeoutSeconds() != 7200 || d.SyncOptions.GetStartToCloseTimeoutSeconds() != 1800 || d.SyncOptions.GetMaxAttempts() != 3 {
		t.Errorf("options %v %v", d.WorkflowOptions, d.SyncOptions)
	}
	if d.CronSchedule == nil || *d.CronSchedule != "0 3 * * *" {
		t.Errorf("schedule %v", d.CronSchedule)
	}
	req := d.CreateRequest("acct")
	if req.GetAccountId() != "acct" || req.GetJobName() != "nightly" || !proto.Equal(req.GetSource(), d.Source) {
		t.Errorf("create request %v", req)
	}
	if _, err := f.Jobs[0].Definition(fakeResolver{"prod": "c"}); err == nil || !strings.Contains(err.Error(), `job "nightly": destinations[0]: no connection named stage`) {
		t.Errorf("unresolved destination: %v", err)
	}

	cfg := f.Connections[1].ConnectionConfig()
	pg := cfg.GetPgConfig().GetConnection()
	if pg.GetHost() != "127.0.0.1" || pg.GetPort() != 5432 || pg.GetSslMode() != "disable" || cfg.GetPgConfig().GetClientTls() != nil {
		t.Errorf("connection config %v", cfg)
	}
	if my := f.Connections[2].ConnectionConfig().GetMysqlConfig(); my.GetUrl() != "mysql://root@127.0.0.1:3306/analytics" {
		t.Errorf("mysql config %v", my)
	}
	pool := f.Connections[0].ConnectionConfig().GetPgConfig().GetConnectionOptions()
	if pool.GetMaxConnectionLimit() != 10 || pool.GetMaxIdleDuration() != "5m" || pool.MaxIdleConnections != nil {
		t.Errorf("pool %v", pool)
	}
}

// TestURLFromEnvConnection: url_from_env is sent as the variable's name —
// the CLI does not expand it, the worker reads it when a job runs.
func TestURLFromEnvConnection(t *testing.T) {
	t.Parallel()
	doc := "connections:\n  - name: prod\n    postgres: {url_from_env: NEOSYNC_URL_PROD}\n  - name: orders\n    mysql: {url_from_env: NEOSYNC_URL_ORDERS}\n"
	f, err := Parse("neosync.yaml", []byte(doc), envOf(map[string]string{"NEOSYNC_URL_PROD": "postgres://u:secret@h/db"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Connections[0].ConnectionConfig().GetPgConfig().GetUrlFromEnv(); got != "NEOSYNC_URL_PROD" {
		t.Errorf("postgres url_from_env = %q", got)
	}
	if got := f.Connections[1].ConnectionConfig().GetMysqlConfig().GetUrlFromEnv(); got != "NEOSYNC_URL_ORDERS" {
		t.Errorf("mysql url_from_env = %q", got)
	}
}

// TestRangeRows: a job's range_rows reaches the API's sync source; left
// out, the field is unset (the worker's NEOSYNC_RANGE_ROWS applies).
func TestRangeRows(t *testing.T) {
	t.Parallel()
	const doc = "jobs:\n  - name: j\n    source: {connection: a%s}\n    destinations: [{connection: b}]\n"
	r := fakeResolver{"a": "c-a", "b": "c-b"}
	for _, tc := range []struct {
		field string
		want  *int64
	}{
		{", range_rows: 250000", proto.Int64(250_000)},
		{"", nil},
	} {
		f, err := Parse("neosync.yaml", []byte(fmt.Sprintf(doc, tc.field)), envOf(nil))
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.Jobs[0].Definition(r)
		if err != nil {
			t.Fatal(err)
		}
		got := d.Source.GetSync().RangeRows
		if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
			t.Fatalf("source%s: range_rows %v, want %v", tc.field, got, tc.want)
		}
	}
}

// TestS3Spec: an s3 connection, an export destination with its formats,
// and an import job whose source is the bucket convert to the API's
// messages.
func TestS3Spec(t *testing.T) {
	t.Parallel()
	doc := `connections:
  - name: bucket
    s3:
      bucket: exports
      path_prefix: team/a
      endpoint: http://127.0.0.1:7070
      force_path_style: true
      access_key_id: AKIA
      secret_access_key: ${S3_SECRET}
jobs:
  - name: export
    source: {connection: prod}
    destinations: [{connection: bucket, export_formats: [parquet], export_compression: zstd}]
  - name: import
    source: {connection: bucket, s3_import: {export_job: export, run_id: run-1}}
    destinations: [{connection: stage, truncate_before_insert: true}]
`
	f, err := Parse("neosync.yaml", []byte(doc), envOf(map[string]string{"S3_SECRET": "s3cr3t"}))
	if err != nil {
		t.Fatal(err)
	}
	s3 := f.Connections[0].ConnectionConfig().GetAwsS3Config()
	if s3.GetBucket() != "exports" || s3.GetPathPrefix() != "team/a" || !s3.GetForcePathStyle() || s3.GetCredentials().GetSecretAccessKey() != "s3cr3t" {
		t.Errorf("s3 config %v", s3)
	}
	r := fakeResolver{"prod": "c-prod", "stage": "c-stage", "bucket": "c-bucket"}
	exp, err := f.Jobs[0].Definition(r)
	if err != nil {
		t.Fatal(err)
	}
	if o := exp.Destinations[0].GetOptions(); len(o.GetExportFormats()) != 1 || o.GetExportFormats()[0] != "parquet" || o.GetExportCompression() != "zstd" {
		t.Errorf("export destination options %v", o)
	}
	imp, err := f.Jobs[1].Definition(r)
	if err != nil {
		t.Fatal(err)
	}
	if im := imp.Source.GetSync().GetS3Import(); im.GetExportJobName() != "export" || im.GetRunId() != "run-1" || imp.Source.GetSync().GetConnectionId() != "c-bucket" {
		t.Errorf("import source %v", imp.Source)
	}
}
