package apply

import (
	"context"
	"fmt"
	"io"

	"connectrpc.com/connect"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/apiclient"
	"github.com/neosyncio/neosync/cli/internal/describe"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/plan"
	"github.com/neosyncio/neosync/cli/internal/spec"
)

// applier plans and applies one file in one account.
type applier struct {
	c             *apiclient.Client
	accountID     string
	out           io.Writer
	updateSecrets bool

	resolver *lookup.Resolver
	// applied counts API changes made so far; done lists finished steps.
	applied int
	done    []plan.Change
}

type connectionStep struct {
	spec    *spec.Connection
	config  *mgmtv1alpha1.ConnectionConfig
	current *mgmtv1alpha1.Connection // nil: create
	change  plan.Change
}

type jobStep struct {
	spec    *spec.Job
	current *mgmtv1alpha1.Job // nil: create
	def     *spec.JobDefinition
	diff    plan.JobDiff
	change  plan.Change
}

type applyPlan struct {
	connections []*connectionStep
	jobs        []*jobStep
}

func (p *applyPlan) changes() []plan.Change {
	var out []plan.Change
	for _, c := range p.connections {
		out = append(out, c.change)
	}
	for _, j := range p.jobs {
		out = append(out, j.change)
	}
	return out
}

// plan reads the account's state and decides every step. Every name is
// resolved and every transformer checked before anything changes.
func (a *applier) plan(ctx context.Context, file *spec.File) (*applyPlan, error) {
	conns, err := lookup.Connections(ctx, a.c, a.accountID)
	if err != nil {
		return nil, err
	}
	jobs, err := lookup.Jobs(ctx, a.c, a.accountID)
	if err != nil {
		return nil, err
	}
	a.resolver = lookup.NewResolver(ctx, a.c, a.accountID, conns)
	p := &applyPlan{}
	for i := range file.Connections {
		sc := &file.Connections[i]
		step := &connectionStep{spec: sc, config: sc.ConnectionConfig(), change: plan.Change{Kind: "connection", Name: sc.Name}}
		step.current = lookup.FindConnectionByName(conns, sc.Name)
		if step.current == nil {
			step.change.Action = plan.Create
			a.resolver.Plan(sc.Name)
		} else {
			step.change.Details = plan.ConnectionDiff(step.config, step.current.GetConnectionConfig(), a.updateSecrets)
			step.change.Action = plan.Unchanged
			if len(step.change.Details) > 0 {
				step.change.Action = plan.Update
			}
		}
		p.connections = append(p.connections, step)
	}
	if err := a.checkTransformers(ctx, file.Jobs); err != nil {
		return nil, err
	}
	for i := range file.Jobs {
		sj := &file.Jobs[i]
		step := &jobStep{spec: sj, current: lookup.FindJobByName(jobs, sj.Name)}
		if err := a.decideJob(step); err != nil {
			return nil, err
		}
		p.jobs = append(p.jobs, step)
	}
	return p, nil
}

// decideJob resolves a job's definition and compares it with the stored job.
func (a *applier) decideJob(step *jobStep) error {
	def, err := step.spec.Definition(a.resolver)
	if err != nil {
		return err
	}
	step.def = def
	step.change = plan.Change{Kind: "job", Name: step.spec.Name, Action: plan.Create}
	if step.current != nil {
		step.diff = plan.DiffJob(def, step.current)
		step.change.Action = plan.Unchanged
		if !step.diff.Empty() {
			step.change.Action = plan.Update
			step.change.Details = step.diff.Details
		}
	}
	return nil
}

// checkTransformers rejects unknown system transformer names before any
// change, so a typo fails the dry run rather than half an apply.
func (a *applier) checkTransformers(ctx context.Context, jobs []spec.Job) error {
	var used []string
	for _, j := range jobs {
		for _, m := range j.Mappings {
			for _, col := range m.Columns {
				if col.Transformer.Source != "" {
					used = append(used, col.Transformer.Source)
				}
			}
		}
	}
	if len(used) == 0 {
		return nil
	}
	resp, err := a.c.Transformers.GetSystemTransformers(ctx, connect.NewRequest(&mgmtv1alpha1.GetSystemTransformersRequest{}))
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, t := range resp.Msg.GetTransformers() {
		known[t.GetSource()] = true
	}
	for _, j := range jobs {
		for _, m := range j.Mappings {
			for _, col := range m.Columns {
				if src := col.Transformer.Source; src != "" && !known[src] {
					return fmt.Errorf("job %q: mappings %s.%s.%s: unknown transformer %q (the API lists its transformers at TransformersService/GetSystemTransformers)",
						j.Name, m.Schema, m.Table, col.Column, src)
				}
			}
		}
	}
	return nil
}

// execute applies the plan: connections first (jobs refer to them), then
// jobs, re-resolved against the connections that now exist.
func (a *applier) execute(ctx context.Context, p *applyPlan) error {
	created := false
	for _, step := range p.connections {
		if err := a.applyConnection(ctx, step); err != nil {
			return fmt.Errorf("connection %s: %w", step.spec.Name, err)
		}
		created = created || step.change.Action == plan.Create
		a.report(step.change)
	}
	if created {
		conns, err := lookup.Connections(ctx, a.c, a.accountID)
		if err != nil {
			return err
		}
		a.resolver.SetConnections(conns)
		for _, step := range p.jobs {
			if err := a.decideJob(step); err != nil {
				return err
			}
		}
	}
	for _, step := range p.jobs {
		if err := a.applyJob(ctx, step); err != nil {
			return fmt.Errorf("job %s: %w", step.spec.Name, err)
		}
		a.report(step.change)
	}
	return nil
}

func (a *applier) report(ch plan.Change) {
	a.done = append(a.done, ch)
	fmt.Fprintf(a.out, "  %s\n", ch.Line(true))
}

func (a *applier) applyConnection(ctx context.Context, step *connectionStep) error {
	switch step.change.Action {
	case plan.Create:
		_, err := a.c.Connections.CreateConnection(ctx, connect.NewRequest(&mgmtv1alpha1.CreateConnectionRequest{
			AccountId: a.accountID, Name: step.spec.Name, ConnectionConfig: step.config,
		}))
		return a.count(err)
	case plan.Update:
		_, err := a.c.Connections.UpdateConnection(ctx, connect.NewRequest(&mgmtv1alpha1.UpdateConnectionRequest{
			Id: step.current.GetId(), Name: step.spec.Name, ConnectionConfig: step.config,
		}))
		return a.count(err)
	}
	return nil
}

func (a *applier) count(err error) error {
	if err == nil {
		a.applied++
	}
	return err
}

// applyJob creates a job, or sends only the parts of it that changed.
// Destinations are added before old ones are removed, since a job keeps at
// least one; a destination that is the job's current source is added after
// the source has moved.
func (a *applier) applyJob(ctx context.Context, step *jobStep) error {
	j := a.c.Jobs
	switch step.change.Action {
	case plan.Create:
		_, err := j.CreateJob(ctx, connect.NewRequest(step.def.CreateRequest(a.accountID)))
		return a.count(err)
	case plan.Unchanged:
		return nil
	}
	d, id, def := step.diff, step.current.GetId(), step.def
	oldSource := describe.JobSourceConnectionID(step.current)
	var now, later []*mgmtv1alpha1.JobDestinationCreate
	for _, add := range d.AddDestinations {
		if add.GetConnectionId() == oldSource && d.Source {
			later = append(later, add)
		} else {
			now = append(now, add)
		}
	}
	if len(now) > 0 {
		if _, err := j.CreateJobDestinationConnections(ctx, connect.NewRequest(&mgmtv1alpha1.CreateJobDestinationConnectionsRequest{JobId: id, Destinations: now})); err != nil {
			return err
		}
		a.applied++
	}
	for _, u := range d.UpdateDestinations {
		if _, err := j.UpdateJobDestinationConnection(ctx, connect.NewRequest(&mgmtv1alpha1.UpdateJobDestinationConnectionRequest{
			JobId: id, DestinationId: u.DestinationID, ConnectionId: u.ConnectionID, Options: u.Options,
		})); err != nil {
			return err
		}
		a.applied++
	}
	for _, destID := range d.RemoveDestinations {
		if _, err := j.DeleteJobDestinationConnection(ctx, connect.NewRequest(&mgmtv1alpha1.DeleteJobDestinationConnectionRequest{JobId: id, DestinationId: destID})); err != nil {
			return err
		}
		a.applied++
	}
	if d.Source {
		if _, err := j.UpdateJobSourceConnection(ctx, connect.NewRequest(&mgmtv1alpha1.UpdateJobSourceConnectionRequest{
			Id: id, Source: def.Source, Mappings: def.Mappings, VirtualForeignKeys: def.VirtualForeignKeys,
		})); err != nil {
			return err
		}
		a.applied++
	}
	if len(later) > 0 {
		if _, err := j.CreateJobDestinationConnections(ctx, connect.NewRequest(&mgmtv1alpha1.CreateJobDestinationConnectionsRequest{JobId: id, Destinations: later})); err != nil {
			return err
		}
		a.applied++
	}
	if d.Schedule {
		if _, err := j.UpdateJobSchedule(ctx, connect.NewRequest(&mgmtv1alpha1.UpdateJobScheduleRequest{Id: id, CronSchedule: def.CronSchedule})); err != nil {
			return err
		}
		a.applied++
	}
	if d.WorkflowOptions {
		if _, err := j.SetJobWorkflowOptions(ctx, connect.NewRequest(&mgmtv1alpha1.SetJobWorkflowOptionsRequest{Id: id, WorkflowOptions: def.WorkflowOptions})); err != nil {
			return err
		}
		a.applied++
	}
	if d.SyncOptions {
		if _, err := j.SetJobSyncOptions(ctx, connect.NewRequest(&mgmtv1alpha1.SetJobSyncOptionsRequest{Id: id, SyncOptions: def.SyncOptions})); err != nil {
			return err
		}
		a.applied++
	}
	return nil
}
