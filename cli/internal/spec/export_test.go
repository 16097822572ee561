package spec

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// storedJob is the job the API would hold for d.
func storedJob(d *JobDefinition) *mgmtv1alpha1.Job {
	j := &mgmtv1alpha1.Job{Id: "j-1", Name: d.Name, Source: d.Source, Mappings: d.Mappings, CronSchedule: d.CronSchedule,
		VirtualForeignKeys: d.VirtualForeignKeys, WorkflowOptions: d.WorkflowOptions, SyncOptions: d.SyncOptions}
	for i, dest := range d.Destinations {
		j.Destinations = append(j.Destinations, &mgmtv1alpha1.JobDestination{Id: "d-" + string(rune('0'+i)), ConnectionId: dest.GetConnectionId(), Options: dest.GetOptions()})
	}
	return j
}

// TestExportRoundTrip: a stored job exported, written as YAML and read back
// gives the same definition, so apply would change nothing.
func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	f, err := Parse("neosync.yaml", readExample(t), envOf(map[string]string{"PROD_PASSWORD": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	r := fakeResolver{"prod": "c-prod", "stage": "c-stage", "analytics": "c-an"}
	names := Names{
		Connections:             map[string]string{"c-prod": "prod", "c-stage": "stage", "c-an": "analytics"},
		UserDefinedTransformers: map[string]string{"udt-1": "company-ssn"},
	}
	for i := range f.Jobs {
		want, err := f.Jobs[i].Definition(r)
		if err != nil {
			t.Fatal(err)
		}
		if sync := want.Source.GetSync(); sync != nil {
			sync.RangeRows = proto.Int64(250000) // not in the example file
		}
		exported, err := ExportJob(storedJob(want), names)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := Marshal(&File{Version: 1, Jobs: []Job{*exported}})
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse("export.yaml", doc, envOf(nil))
		if err != nil {
			t.Fatalf("exported file does not parse: %v\n%s", err, doc)
		}
		got, err := back.Jobs[0].Definition(r)
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(storedJob(got), storedJob(want)) {
			t.Errorf("job %s changed on the round trip:\n%s\nwant %v\ngot  %v", want.Name, doc, storedJob(want), storedJob(got))
		}
		if strings.Contains(string(doc), "c-prod") {
			t.Errorf("exported file holds an id instead of a name:\n%s", doc)
		}
	}
}

func TestExportDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[int64]string{7200: "2h", 1800: "30m", 90: "1m30s", 45: "45s", 3661: "1h1m1s", 3660: "1h1m"} {
		if got := duration(in); got != want {
			t.Errorf("duration(%d) = %q, want %q", in, got, want)
		}
	}
}

// TestExportNeedsNames: a job that names a connection the account no longer
// has cannot be exported as an applicable file.
func TestExportNeedsNames(t *testing.T) {
	t.Parallel()
	j := &mgmtv1alpha1.Job{Name: "n", Source: &mgmtv1alpha1.JobSource{Options: &mgmtv1alpha1.JobSource_Sync{Sync: &mgmtv1alpha1.SyncSourceOptions{ConnectionId: "gone"}}}}
	if _, err := ExportJob(j, Names{}); err == nil || !strings.Contains(err.Error(), `job "n": source: connection gone is not in this account`) {
		t.Fatalf("err = %v", err)
	}
}

// TestExportS3RoundTrip: an export job's formats and an import job's
// s3_import survive ExportJob → YAML → Parse → Definition.
func TestExportS3RoundTrip(t *testing.T) {
	t.Parallel()
	r := fakeResolver{"prod": "c-prod", "stage": "c-stage", "bucket": "c-bucket"}
	names := Names{Connections: map[string]string{"c-prod": "prod", "c-stage": "stage", "c-bucket": "bucket"}}
	run := "run-7"
	for _, want := range []*JobDefinition{
		{Name: "export", Source: &mgmtv1alpha1.JobSource{Options: &mgmtv1alpha1.JobSource_Sync{Sync: &mgmtv1alpha1.SyncSourceOptions{ConnectionId: "c-prod"}}},
			Destinations:    []*mgmtv1alpha1.JobDestinationCreate{{ConnectionId: "c-bucket", Options: &mgmtv1alpha1.JobDestinationOptions{ExportFormats: []string{"parquet"}, ExportCompression: "zstd"}}},
			WorkflowOptions: &mgmtv1alpha1.WorkflowOptions{}, SyncOptions: &mgmtv1alpha1.ActivityOptions{}},
		{Name: "import", Source: &mgmtv1alpha1.JobSource{Options: &mgmtv1alpha1.JobSource_Sync{Sync: &mgmtv1alpha1.SyncSourceOptions{ConnectionId: "c-bucket",
			S3Import: &mgmtv1alpha1.S3ImportOptions{ExportJobName: "export", RunId: &run}}}},
			Destinations:    []*mgmtv1alpha1.JobDestinationCreate{{ConnectionId: "c-stage", Options: &mgmtv1alpha1.JobDestinationOptions{TruncateBeforeInsert: true}}},
			WorkflowOptions: &mgmtv1alpha1.WorkflowOptions{}, SyncOptions: &mgmtv1alpha1.ActivityOptions{}},
	} {
		exported, err := ExportJob(storedJob(want), names)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := Marshal(&File{Version: 1, Jobs: []Job{*exported}})
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse("export.yaml", doc, envOf(nil))
		if err != nil {
			t.Fatalf("exported file does not parse: %v\n%s", err, doc)
		}
		got, err := back.Jobs[0].Definition(r)
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(storedJob(got), storedJob(want)) {
			t.Errorf("job %s changed on the round trip:\n%s\nwant %v\ngot  %v", want.Name, doc, storedJob(want), storedJob(got))
		}
	}
}
