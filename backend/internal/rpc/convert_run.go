package rpc

import (
	"time"

	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/domain/run"
)

var statusToProto = map[run.Status]mgmtv1alpha1.JobRunStatus{
	run.StatusPending:    mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_PENDING,
	run.StatusRunning:    mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_RUNNING,
	run.StatusComplete:   mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_COMPLETE,
	run.StatusFailed:     mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_FAILED,
	run.StatusCanceled:   mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_CANCELED,
	run.StatusTerminated: mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_TERMINATED,
}

func statusFromProto(s mgmtv1alpha1.JobRunStatus) (run.Status, bool) {
	for k, v := range statusToProto {
		if v == s {
			return k, true
		}
	}
	return "", false
}

func optTime(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return timestamppb.New(*t)
}

func tableProgressToProto(t run.TableProgress) *mgmtv1alpha1.JobRunTableProgress {
	return &mgmtv1alpha1.JobRunTableProgress{
		Destination: t.Destination, Schema: t.Schema, Table: t.Table, State: t.State, RowsDone: t.RowsDone, RowsExpected: t.RowsExpected,
		Error: t.Error, StartedAt: optTime(t.StartedAt), CompletedAt: optTime(t.CompletedAt), RangesTotal: t.RangesTotal, RangesDone: t.RangesDone,
	}
}

func tableProgressFromProto(p *mgmtv1alpha1.JobRunTableProgress) run.TableProgress {
	t := run.TableProgress{Destination: p.GetDestination(), Schema: p.GetSchema(), Table: p.GetTable(), State: p.GetState(), RowsDone: p.GetRowsDone(), RowsExpected: p.GetRowsExpected(), Error: p.Error,
		RangesTotal: p.GetRangesTotal(), RangeIndex: p.RangeIndex}
	if p.StartedAt != nil {
		v := p.GetStartedAt().AsTime()
		t.StartedAt = &v
	}
	if p.CompletedAt != nil {
		v := p.GetCompletedAt().AsTime()
		t.CompletedAt = &v
	}
	return t
}

func runToProto(r run.Run) *mgmtv1alpha1.JobRun {
	out := &mgmtv1alpha1.JobRun{
		Id: r.ID.String(), JobId: r.JobID.String(), Name: r.WorkflowID, WorkflowId: r.WorkflowID, Status: statusToProto[r.Status],
		StartedAt: optTime(r.StartedAt), CompletedAt: optTime(r.CompletedAt), Error: r.Error,
	}
	if out.StartedAt == nil {
		out.StartedAt = timestamppb.New(r.CreatedAt)
	}
	for _, t := range r.Tables {
		out.Tables = append(out.Tables, tableProgressToProto(t))
	}
	if r.Report != nil {
		if s, err := structpb.NewStruct(r.Report); err == nil {
			out.Report = s
		}
	}
	return out
}

func logLinesFromProto(in []*mgmtv1alpha1.JobRunLogLine) []run.LogLine {
	out := make([]run.LogLine, 0, len(in))
	for _, l := range in {
		line := run.LogLine{Level: l.GetLevel(), Message: l.GetMessage(), Attributes: l.GetAttributes()}
		if l.GetTime() != nil {
			line.Time = l.GetTime().AsTime()
		}
		out = append(out, line)
	}
	return out
}

func logLinesToProto(in []run.LogLine) []*mgmtv1alpha1.JobRunLogLine {
	out := make([]*mgmtv1alpha1.JobRunLogLine, 0, len(in))
	for _, l := range in {
		out = append(out, &mgmtv1alpha1.JobRunLogLine{Id: l.ID, Time: timestamppb.New(l.Time), Level: l.Level, Message: l.Message, Attributes: l.Attributes})
	}
	return out
}
