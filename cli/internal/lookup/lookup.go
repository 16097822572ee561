// Package lookup finds connections, jobs and user-defined transformers by
// name or id within an account, so every command accepts either and reports
// an unknown one as "no connection named X" rather than a server code.
package lookup

import (
	"context"
	"strings"

	"connectrpc.com/connect"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/apiclient"
	"github.com/neosyncio/neosync/cli/internal/exitcode"
)

// Connections lists an account's connections.
func Connections(ctx context.Context, c *apiclient.Client, accountID string) ([]*mgmtv1alpha1.Connection, error) {
	resp, err := c.Connections.GetConnections(ctx, connect.NewRequest(&mgmtv1alpha1.GetConnectionsRequest{AccountId: accountID}))
	if err != nil {
		return nil, err
	}
	return resp.Msg.GetConnections(), nil
}

// Connection finds one connection by name or id.
func Connection(ctx context.Context, c *apiclient.Client, accountID, nameOrID string) (*mgmtv1alpha1.Connection, error) {
	conns, err := Connections(ctx, c, accountID)
	if err != nil {
		return nil, err
	}
	if conn := FindConnection(conns, nameOrID); conn != nil {
		return conn, nil
	}
	return nil, exitcode.NotFoundf("no connection named %q (see neosync connections list)", nameOrID)
}

// FindConnection returns the connection with that name, else that id, else nil.
func FindConnection(conns []*mgmtv1alpha1.Connection, nameOrID string) *mgmtv1alpha1.Connection {
	for _, c := range conns {
		if c.GetName() == nameOrID {
			return c
		}
	}
	for _, c := range conns {
		if strings.EqualFold(c.GetId(), nameOrID) {
			return c
		}
	}
	return nil
}

// Jobs lists an account's jobs.
func Jobs(ctx context.Context, c *apiclient.Client, accountID string) ([]*mgmtv1alpha1.Job, error) {
	resp, err := c.Jobs.GetJobs(ctx, connect.NewRequest(&mgmtv1alpha1.GetJobsRequest{AccountId: accountID}))
	if err != nil {
		return nil, err
	}
	return resp.Msg.GetJobs(), nil
}

// Job finds one job by name or id.
func Job(ctx context.Context, c *apiclient.Client, accountID, nameOrID string) (*mgmtv1alpha1.Job, error) {
	jobs, err := Jobs(ctx, c, accountID)
	if err != nil {
		return nil, err
	}
	if j := FindJob(jobs, nameOrID); j != nil {
		return j, nil
	}
	return nil, exitcode.NotFoundf("no job named %q (see neosync jobs list)", nameOrID)
}

// FindJob returns the job with that name, else that id, else nil.
func FindJob(jobs []*mgmtv1alpha1.Job, nameOrID string) *mgmtv1alpha1.Job {
	for _, j := range jobs {
		if j.GetName() == nameOrID {
			return j
		}
	}
	for _, j := range jobs {
		if strings.EqualFold(j.GetId(), nameOrID) {
			return j
		}
	}
	return nil
}

// UserDefinedTransformers lists an account's user-defined transformers.
func UserDefinedTransformers(ctx context.Context, c *apiclient.Client, accountID string) ([]*mgmtv1alpha1.UserDefinedTransformer, error) {
	resp, err := c.Transformers.GetUserDefinedTransformers(ctx, connect.NewRequest(&mgmtv1alpha1.GetUserDefinedTransformersRequest{AccountId: accountID}))
	if err != nil {
		return nil, err
	}
	return resp.Msg.GetTransformers(), nil
}

// ConnectionNames maps connection ids to names, for display.
func ConnectionNames(conns []*mgmtv1alpha1.Connection) map[string]string {
	out := make(map[string]string, len(conns))
	for _, c := range conns {
		out[c.GetId()] = c.GetName()
	}
	return out
}

// FindConnectionByName returns the connection with exactly that name, or nil
// (apply matches by name only: an id in a file would be a different thing).
func FindConnectionByName(conns []*mgmtv1alpha1.Connection, name string) *mgmtv1alpha1.Connection {
	for _, c := range conns {
		if c.GetName() == name {
			return c
		}
	}
	return nil
}

// FindJobByName returns the job with exactly that name, or nil.
func FindJobByName(jobs []*mgmtv1alpha1.Job, name string) *mgmtv1alpha1.Job {
	for _, j := range jobs {
		if j.GetName() == name {
			return j
		}
	}
	return nil
}
