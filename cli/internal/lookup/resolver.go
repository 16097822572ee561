package lookup

import (
	"context"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/apiclient"
	"github.com/neosyncio/neosync/cli/internal/exitcode"
)

// Resolver turns the connection and transformer names of a job spec into
// ids (it implements spec.Resolver). Connections that `apply` is about to
// create resolve to a placeholder id, so a dry run can still plan the jobs
// that use them.
type Resolver struct {
	connections []*mgmtv1alpha1.Connection
	planned     map[string]string
	// loadTransformers lists user-defined transformers the first time one
	// is named, so jobs that use none cost no extra call.
	loadTransformers func() ([]*mgmtv1alpha1.UserDefinedTransformer, error)
	transformers     []*mgmtv1alpha1.UserDefinedTransformer
	loaded           bool
}

// NewResolver resolves against the account's existing connections and
// user-defined transformers.
func NewResolver(ctx context.Context, c *apiclient.Client, accountID string, conns []*mgmtv1alpha1.Connection) *Resolver {
	return &Resolver{
		connections: conns,
		planned:     map[string]string{},
		loadTransformers: func() ([]*mgmtv1alpha1.UserDefinedTransformer, error) {
			return UserDefinedTransformers(ctx, c, accountID)
		},
	}
}

// PlaceholderPrefix marks ids of connections not created yet.
const PlaceholderPrefix = "(new) "

// Plan registers a connection that will be created, with a placeholder id.
func (r *Resolver) Plan(name string) {
	r.planned[name] = PlaceholderPrefix + name
}

// SetConnections replaces the known connections (after apply created some).
func (r *Resolver) SetConnections(conns []*mgmtv1alpha1.Connection) {
	r.connections = conns
	r.planned = map[string]string{}
}

// ConnectionID implements spec.Resolver: connections are named by name only,
// as in the file.
func (r *Resolver) ConnectionID(name string) (string, error) {
	for _, c := range r.connections {
		if c.GetName() == name {
			return c.GetId(), nil
		}
	}
	if id, ok := r.planned[name]; ok {
		return id, nil
	}
	return "", exitcode.NotFoundf("no connection named %q (declare it under connections: or create it with neosync connections create)", name)
}

// UserDefinedTransformer implements spec.Resolver.
func (r *Resolver) UserDefinedTransformer(name string) (string, string, error) {
	if !r.loaded {
		t, err := r.loadTransformers()
		if err != nil {
			return "", "", err
		}
		r.transformers, r.loaded = t, true
	}
	for _, t := range r.transformers {
		if t.GetName() == name || t.GetId() == name {
			return t.GetId(), t.GetSource(), nil
		}
	}
	return "", "", exitcode.NotFoundf("no user-defined transformer named %q", name)
}
