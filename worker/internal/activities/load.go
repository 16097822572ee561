package activities

import (
	"context"

	"connectrpc.com/connect"
	"go.temporal.io/sdk/temporal"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/generate"
	"github.com/neosyncio/neosync/backend/pkg/jobresolve"
	"github.com/neosyncio/neosync/backend/pkg/protoconv"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// loaded is a sync job with its data-plane form.
type loaded struct {
	job  *mgmt.Job
	sync syncplan.Job
}

// generateJob is a generate job with its resolved connections.
type generateJob struct {
	job          *mgmt.Job
	schema       sqlconnect.Config
	destinations []syncplan.Destination
	request      generate.Request
}

// load reads a sync job from the API and resolves it.
func (a *Activities) load(ctx context.Context, jobID string) (*loaded, error) {
	j, d, err := a.getJob(ctx, jobID)
	if err != nil {
		return nil, err
	}
	if d.Sync == nil {
		return nil, invalidJob("generate jobs are not supported by this worker yet")
	}
	rj, err := a.resolve(ctx, d)
	if err != nil {
		return nil, err
	}
	return &loaded{job: j, sync: *rj.Sync}, nil
}

// loadGenerate reads a generate job from the API and resolves it.
func (a *Activities) loadGenerate(ctx context.Context, jobID string) (*generateJob, error) {
	j, d, err := a.getJob(ctx, jobID)
	if err != nil {
		return nil, err
	}
	if d.Generate == nil {
		return nil, invalidJob("job " + j.GetName() + " is not a generate job")
	}
	rj, err := a.resolve(ctx, d)
	if err != nil {
		return nil, err
	}
	g := rj.Generate
	return &generateJob{job: j, schema: g.Schema, destinations: g.Destinations, request: g.Request}, nil
}

// getJob reads a job from the API in the resolver's form.
func (a *Activities) getJob(ctx context.Context, jobID string) (*mgmt.Job, jobresolve.Definition, error) {
	jr, err := a.API.Jobs.GetJob(ctx, connect.NewRequest(&mgmt.GetJobRequest{Id: jobID}))
	if err != nil {
		return nil, jobresolve.Definition{}, apiError("load job", err)
	}
	j := jr.Msg.GetJob()
	d, err := protoconv.Definition(j)
	if err != nil {
		return nil, jobresolve.Definition{}, invalidJob(err.Error())
	}
	return j, d, nil
}

// resolve fetches the connections and user-defined transformers d
// references from the API and resolves d with them (jobresolve.Resolve).
func (a *Activities) resolve(ctx context.Context, d jobresolve.Definition) (jobresolve.Job, error) {
	res := jobresolve.Resolved{Connections: map[string]jobresolve.Connection{}, Transformers: map[string]syncplan.Transformer{}}
	for _, id := range d.ConnectionIDs() {
		c, err := a.API.Connections.GetConnection(ctx, connect.NewRequest(&mgmt.GetConnectionRequest{Id: id}))
		if err != nil {
			return jobresolve.Job{}, apiError("load connection "+id, err)
		}
		res.Connections[id] = protoconv.Connection(c.Msg.GetConnection())
	}
	for _, id := range d.TransformerIDs() {
		u, err := a.API.Transformers.GetUserDefinedTransformerById(ctx, connect.NewRequest(&mgmt.GetUserDefinedTransformerByIdRequest{TransformerId: id}))
		if err != nil {
			return jobresolve.Job{}, apiError("load transformer "+id, err)
		}
		res.Transformers[id] = protoconv.Transformer(u.Msg.GetTransformer())
	}
	rj, err := jobresolve.Resolve(d, res)
	if err != nil {
		return jobresolve.Job{}, invalidJob(err.Error())
	}
	return rj, nil
}

// invalidJob is a job the worker cannot run as it is: retrying will not
// change it.
func invalidJob(msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, ErrTypeValidation, nil)
}
