package output

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

func sampleJobs() *mgmtv1alpha1.GetJobsResponse {
	cron := "0 3 * * *"
	cfg, _ := structpb.NewStruct(map[string]any{"preserve_domain": true, "max_length": 20})
	timeout := int64(7200)
	return &mgmtv1alpha1.GetJobsResponse{Jobs: []*mgmtv1alpha1.Job{{
		Id: "0b7c3f52-0000-4000-8000-000000000001", Name: "nightly", Type: mgmtv1alpha1.JobType_JOB_TYPE_SYNC,
		CronSchedule: &cron, Paused: true,
		Source: &mgmtv1alpha1.JobSource{Options: &mgmtv1alpha1.JobSource_Sync{Sync: &mgmtv1alpha1.SyncSourceOptions{ConnectionId: "c1"}}},
		Mappings: []*mgmtv1alpha1.JobMapping{{Schema: "public", Table: "users", Column: "email",
			Transformer: &mgmtv1alpha1.JobMappingTransformer{Source: "transform_email", Config: cfg}}},
		WorkflowOptions: &mgmtv1alpha1.WorkflowOptions{RunTimeoutSeconds: &timeout},
		CreatedAt:       timestamppb.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)),
	}, {Id: "2", Name: "123"}}}
}

func TestJSONAndYAMLRoundTrip(t *testing.T) {
	t.Parallel()
	in := sampleJobs()
	for _, f := range []Format{JSON, YAML} {
		var buf bytes.Buffer
		if err := Message(&buf, f, in, nil); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		if f == YAML {
			if strings.Contains(buf.String(), "{") {
				t.Errorf("YAML uses flow style:\n%s", b)
			}
			var err error
			if b, err = YAMLToJSON(b); err != nil {
				t.Fatal(err)
			}
		}
		out := &mgmtv1alpha1.GetJobsResponse{}
		if err := protojson.Unmarshal(b, out); err != nil {
			t.Fatalf("%s output does not read back: %v\n%s", f, err, buf.String())
		}
		if !proto.Equal(in, out) {
			t.Fatalf("%s round trip differs:\n%s", f, buf.String())
		}
	}
}

func TestYAMLQuotesAmbiguousStrings(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteYAML(&buf, sampleJobs()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`name: "123"`, `runTimeoutSeconds: "7200"`, `cronSchedule: 0 3 * * *`, "type: JOB_TYPE_SYNC"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("YAML lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestJSONIsStable(t *testing.T) {
	t.Parallel()
	var a, b bytes.Buffer
	if err := WriteJSON(&a, sampleJobs()); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&b, sampleJobs()); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() || !strings.HasPrefix(a.String(), "{\n  \"jobs\": [") {
		t.Fatalf("unstable or unindented JSON:\n%s", a.String())
	}
}

func TestTable(t *testing.T) {
	t.Parallel()
	tw := NewTable("name", "type", "target")
	tw.Row("prod", "postgres", "app@db:5432/app")
	tw.Row("a\tb\nc", "mysql")
	var buf bytes.Buffer
	if err := tw.Render(&buf); err != nil {
		t.Fatal(err)
	}
	want := "NAME    TYPE       TARGET\n" +
		"prod    postgres   app@db:5432/app\n" +
		"a b c   mysql      \n"
	if buf.String() != want {
		t.Fatalf("table:\n%q\nwant\n%q", buf.String(), want)
	}
}

func TestFields(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	err := Fields(&buf, Field{"Name", "nightly"}, Field{"Empty", ""}, Field{"Destinations", "stage"}, Field{"", "analytics"})
	if err != nil {
		t.Fatal(err)
	}
	want := "Name:          nightly\nDestinations:  stage\n               analytics\n"
	if buf.String() != want {
		t.Fatalf("fields:\n%q\nwant\n%q", buf.String(), want)
	}
}

func TestFormatFlag(t *testing.T) {
	t.Parallel()
	var f Format
	for _, ok := range []string{"table", "JSON", "yaml"} {
		if err := f.Set(ok); err != nil {
			t.Errorf("Set(%q): %v", ok, err)
		}
	}
	if err := f.Set("xml"); err == nil || !strings.Contains(err.Error(), "table, json, yaml") {
		t.Errorf("Set(xml): %v", err)
	}
}

func TestDurationAndAgo(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{2 * time.Hour: "2h", 90 * time.Minute: "1h30m", 45 * time.Second: "45s", 30 * time.Minute: "30m"} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	if got := Ago(timestamppb.New(now.Add(-3*time.Minute)), now); got != "3m ago" {
		t.Errorf("Ago = %q", got)
	}
	if got := Ago(nil, now); got != "" {
		t.Errorf("Ago(nil) = %q", got)
	}
}
