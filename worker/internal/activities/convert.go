package activities

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/leakscan"
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
// [...], "summary": "...", "status": "OK|WARN|FAIL", "findings": [...]};
// the summary is the human-readable form the CLI and the web app print,
// status the worst of the destinations' (sqlsync.Report.Status) and
// findings their WARN and FAIL findings, worst first, each naming its
// destination.
func reportStruct(reports []*sqlsync.Report) (*structpb.Struct, error) {
	var summary strings.Builder
	status := leakscan.StatusOK
	type finding struct {
		Destination string `json:"destination"`
		sqlsync.Finding
	}
	findings := []finding{}
	for _, r := range reports {
		summary.WriteString(r.String())
		status = leakscan.Worst(status, r.Status())
		for _, f := range r.Findings() {
			if f.Status != leakscan.StatusOK {
				findings = append(findings, finding{Destination: r.Destination, Finding: f})
			}
		}
	}
	slices.SortStableFunc(findings, func(a, b finding) int { return b.Status.Severity() - a.Status.Severity() })
	b, err := json.Marshal(map[string]any{"destinations": reports, "summary": summary.String(), "status": status, "findings": findings})
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return structpb.NewStruct(m)
}

// PackedReport is a verification report as it passes through Temporal:
// gzip-compressed JSON (a report lists every table, so it grows with the
// schema; compressed, 2,000 tables take tens of KiB).
type PackedReport struct {
	Destination string `json:"destination"`
	OK          bool   `json:"ok"`
	Gzip        []byte `json:"gzip"`
}

// PackReport compresses r.
func PackReport(r *sqlsync.Report) (*PackedReport, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return &PackedReport{Destination: r.Destination, OK: r.OK(), Gzip: buf.Bytes()}, nil
}

// Unpack decompresses the report.
func (p *PackedReport) Unpack() (*sqlsync.Report, error) {
	zr, err := gzip.NewReader(bytes.NewReader(p.Gzip))
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	var r sqlsync.Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
