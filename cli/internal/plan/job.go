package plan

import (
	"cmp"
	"slices"

	"google.golang.org/protobuf/proto"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/spec"
)

// DestinationUpdate changes the options of an existing destination.
type DestinationUpdate struct {
	DestinationID string
	ConnectionID  string
	Options       *mgmtv1alpha1.JobDestinationOptions
}

// JobDiff is what must change on a stored job to match its definition. Each
// part maps to one API call, so apply sends only what changed.
type JobDiff struct {
	// Source covers the source, subsets, mappings and virtual foreign keys
	// (UpdateJobSourceConnection replaces them together).
	Source          bool
	Schedule        bool
	WorkflowOptions bool
	SyncOptions     bool
	// AddDestinations, UpdateDestinations and RemoveDestinations (ids)
	// reconcile the destinations, matched by connection.
	AddDestinations    []*mgmtv1alpha1.JobDestinationCreate
	UpdateDestinations []DestinationUpdate
	RemoveDestinations []string
	// Details names the changed parts for the plan.
	Details []string
}

// Empty reports whether the job is up to date.
func (d JobDiff) Empty() bool { return len(d.Details) == 0 }

// DiffJob compares a job's definition with the stored job.
func DiffJob(want *spec.JobDefinition, have *mgmtv1alpha1.Job) JobDiff {
	var d JobDiff
	if !proto.Equal(sourceAsStored(want.Source, have.GetSource()), have.GetSource()) {
		d.Source = true
		d.Details = append(d.Details, "source")
	}
	if !sameMappings(want.Mappings, have.GetMappings()) {
		d.Source = true
		d.Details = append(d.Details, "mappings")
	}
	if !sameList(want.VirtualForeignKeys, have.GetVirtualForeignKeys()) {
		d.Source = true
		d.Details = append(d.Details, "virtual_foreign_keys")
	}
	if deref(want.CronSchedule) != have.GetCronSchedule() {
		d.Schedule = true
		d.Details = append(d.Details, "schedule")
	}
	if !proto.Equal(orEmpty(want.WorkflowOptions), orEmpty(have.GetWorkflowOptions())) {
		d.WorkflowOptions = true
		d.Details = append(d.Details, "workflow_options")
	}
	if !proto.Equal(orEmpty(want.SyncOptions), orEmpty(have.GetSyncOptions())) {
		d.SyncOptions = true
		d.Details = append(d.Details, "sync_options")
	}
	byConn := map[string]*mgmtv1alpha1.JobDestination{}
	for _, dest := range have.GetDestinations() {
		byConn[dest.GetConnectionId()] = dest
	}
	wanted := map[string]bool{}
	for _, w := range want.Destinations {
		wanted[w.GetConnectionId()] = true
		cur, ok := byConn[w.GetConnectionId()]
		switch {
		case !ok:
			d.AddDestinations = append(d.AddDestinations, w)
		case !proto.Equal(orEmpty(w.GetOptions()), orEmpty(cur.GetOptions())):
			d.UpdateDestinations = append(d.UpdateDestinations, DestinationUpdate{DestinationID: cur.GetId(), ConnectionID: w.GetConnectionId(), Options: w.GetOptions()})
		}
	}
	for _, dest := range have.GetDestinations() {
		if !wanted[dest.GetConnectionId()] {
			d.RemoveDestinations = append(d.RemoveDestinations, dest.GetId())
		}
	}
	if len(d.AddDestinations)+len(d.UpdateDestinations)+len(d.RemoveDestinations) > 0 {
		d.Details = append(d.Details, "destinations")
	}
	return d
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// orEmpty treats an unset options message as one with every field unset,
// as the API does.
func orEmpty[M interface {
	proto.Message
	comparable
}](m M) proto.Message {
	var zero M
	if m == zero {
		return m.ProtoReflect().Type().New().Interface()
	}
	return m
}

// sameMappings compares mappings as a set keyed by column: order carries no
// meaning, and an empty config equals no config.
func sameMappings(a, b []*mgmtv1alpha1.JobMapping) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = sortedMappings(a), sortedMappings(b)
	for i := range a {
		if !proto.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func sortedMappings(in []*mgmtv1alpha1.JobMapping) []*mgmtv1alpha1.JobMapping {
	out := make([]*mgmtv1alpha1.JobMapping, len(in))
	for i, m := range in {
		c := proto.Clone(m).(*mgmtv1alpha1.JobMapping)
		if t := c.GetTransformer(); t != nil && t.Config != nil && len(t.Config.GetFields()) == 0 {
			t.Config = nil
		}
		out[i] = c
	}
	slices.SortFunc(out, func(x, y *mgmtv1alpha1.JobMapping) int {
		return cmp.Or(cmp.Compare(x.GetSchema(), y.GetSchema()), cmp.Compare(x.GetTable(), y.GetTable()), cmp.Compare(x.GetColumn(), y.GetColumn()))
	})
	return out
}

func sameList[M proto.Message](a, b []M) bool {
	return slices.EqualFunc(a, b, func(x, y M) bool { return proto.Equal(x, y) })
}

// sourceAsStored is want as the API would store it over have: a sync
// source that leaves consistent_prf unspecified keeps the stored job's
// version, so it is no change.
func sourceAsStored(want, have *mgmtv1alpha1.JobSource) *mgmtv1alpha1.JobSource {
	ws, hs := want.GetSync(), have.GetSync()
	if ws == nil || hs == nil || ws.GetConsistentPrf() != mgmtv1alpha1.ConsistentPrf_CONSISTENT_PRF_UNSPECIFIED {
		return want
	}
	out := proto.CloneOf(want)
	out.GetSync().ConsistentPrf = hs.GetConsistentPrf()
	return out
}
