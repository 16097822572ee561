package activities

import (
	"encoding/json"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
)

// Run statuses a workflow finishes with.
const (
	StatusComplete = "complete"
	StatusFailed   = "failed"
	StatusCanceled = "canceled"
)

func statusProto(s string) mgmt.JobRunStatus {
	switch s {
	case StatusComplete:
		return mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE
	case StatusCanceled:
		return mgmt.JobRunStatus_JOB_RUN_STATUS_CANCELED
	}
	return mgmt.JobRunStatus_JOB_RUN_STATUS_FAILED
}

func ts(t time.Time) *timestamppb.Timestamp { return timestamppb.New(t) }

// reportStruct encodes the per-destination reports as {"destinations":
// [...], "summary": "..."}; the summary is the human-readable form the CLI
// and the web app print.
func reportStruct(reports []*sqlsync.Report) (*structpb.Struct, error) {
	var summary strings.Builder
	for _, r := range reports {
		summary.WriteString(r.String())
	}
	b, err := json.Marshal(map[string]any{"destinations": reports, "summary": summary.String()})
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return structpb.NewStruct(m)
}
