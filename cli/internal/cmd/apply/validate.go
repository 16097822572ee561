package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"connectrpc.com/connect"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/cli/internal/plan"
)

// checkConnections asks the API to connect with every connection the file
// creates or changes, as `neosync connections create` does, so a wrong
// host or password stops the apply before anything is saved.
func (a *applier) checkConnections(ctx context.Context, p *applyPlan) error {
	var failed []string
	for _, step := range p.connections {
		if step.change.Action == plan.Unchanged {
			continue
		}
		resp, err := a.c.Connections.CheckConnectionConfig(ctx, connect.NewRequest(&mgmtv1alpha1.CheckConnectionConfigRequest{ConnectionConfig: step.config}))
		if err != nil {
			return fmt.Errorf("connection %q: %w", step.spec.Name, err)
		}
		if !resp.Msg.GetIsConnected() {
			failed = append(failed, fmt.Sprintf("connection %q: the API cannot connect to the database: %s", step.spec.Name, resp.Msg.GetConnectionError()))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s (use --skip-check to apply anyway)", strings.Join(failed, "; "))
	}
	return nil
}

// validateJobs checks every sync job the file creates or changes against
// its source's schema with the API's ValidateJobMappings — the rules every
// run's plan applies — using the file's configuration of a source the
// file creates or changes. Problems stop the apply, all of them in one
// message; warnings are returned for the caller to print. A source the API
// cannot reach is noted in the warnings (the run's plan checks it).
func (a *applier) validateJobs(ctx context.Context, p *applyPlan) (warnings []string, err error) {
	declared := map[string]*connectionStep{}
	for _, step := range p.connections {
		if step.change.Action != plan.Unchanged {
			declared[step.spec.Name] = step
		}
	}
	var problems []string
	for _, step := range p.jobs {
		sync := step.def.Source.GetSync()
		if step.change.Action == plan.Unchanged || sync == nil || len(step.def.Mappings) == 0 {
			continue
		}
		req := &mgmtv1alpha1.ValidateJobMappingsRequest{AccountId: a.accountID, Mappings: step.def.Mappings, VirtualForeignKeys: step.def.VirtualForeignKeys}
		if src := declared[step.spec.Source.Connection]; src != nil {
			req.ConnectionConfig = src.config
		} else {
			req.ConnectionId = sync.GetConnectionId()
		}
		resp, err := a.c.Jobs.ValidateJobMappings(ctx, connect.NewRequest(req))
		var ce *connect.Error
		switch {
		case errors.As(err, &ce) && ce.Code() == connect.CodeFailedPrecondition:
			warnings = append(warnings, fmt.Sprintf("job %s: mappings not checked against the source (%s); every run checks them first", step.spec.Name, ce.Message()))
			continue
		case err != nil:
			return nil, fmt.Errorf("job %q: check mappings: %w", step.spec.Name, err)
		}
		var msgs []string
		for _, e := range resp.Msg.GetColumnErrors() {
			msgs = append(msgs, e.GetErrors()...)
		}
		msgs = append(msgs, resp.Msg.GetDatabaseErrors().GetErrors()...)
		if len(msgs) > 0 {
			problems = append(problems, fmt.Sprintf("job %q: %s", step.spec.Name, strings.Join(msgs, "; ")))
		}
		var unmapped []string
		for _, w := range resp.Msg.GetColumnWarnings() {
			for _, m := range w.GetErrors() {
				if strings.HasSuffix(m, syncplan.UnmappedWarning) {
					unmapped = append(unmapped, w.GetSchema()+"."+w.GetTable()+"."+w.GetColumn())
					continue
				}
				warnings = append(warnings, fmt.Sprintf("job %s: %s", step.spec.Name, m))
			}
		}
		if len(unmapped) > 0 {
			warnings = append(warnings, fmt.Sprintf("job %s: %s", step.spec.Name, unmappedSummary(unmapped)))
		}
		for _, m := range resp.Msg.GetWarnings() {
			warnings = append(warnings, fmt.Sprintf("job %s: %s", step.spec.Name, m))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("every run would refuse these mappings, so nothing was changed: %s", strings.Join(problems, "; "))
	}
	return warnings, nil
}

// unmappedSummary says in one line which columns of the copied tables have
// no mapping (they are copied unchanged), naming the first few.
func unmappedSummary(cols []string) string {
	const shown = 5
	names := strings.Join(cols[:min(len(cols), shown)], ", ")
	if len(cols) > shown {
		names += fmt.Sprintf(" and %d more", len(cols)-shown)
	}
	if len(cols) == 1 {
		return fmt.Sprintf("1 column has no mapping and is copied unchanged: %s", names)
	}
	return fmt.Sprintf("%d columns have no mapping and are copied unchanged: %s", len(cols), names)
}
