package jobresolve

import (
	"fmt"
	"slices"

	"github.com/neosyncio/neosync/backend/pkg/generate"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// Job is a resolved job: Sync for a data sync, Generate for a data
// generation; exactly one is set.
type Job struct {
	Sync     *syncplan.Job
	Generate *Generation
}

// Generation is a resolved data generation job.
type Generation struct {
	// Schema is the connection whose catalog the generation plans against.
	Schema sqlconnect.Config
	// Destinations are written one after the other, each with its options.
	Destinations []syncplan.Destination
	// Request is what generate.NewPlan plans.
	Request generate.Request
}

// Resolve turns d into the data plane's job, taking its connections and
// user-defined transformers from r. It checks what the conversion needs
// (one source, every reference resolved, every connection readable), not
// the job against a schema: that is syncplan's and generate's work.
func Resolve(d Definition, r Resolved) (Job, error) {
	switch {
	case d.Sync != nil && d.Generate != nil:
		return Job{}, fmt.Errorf("job %s has both a sync and a generate source", d.Name)
	case d.Sync != nil:
		sj, err := syncJob(d, r)
		if err != nil {
			return Job{}, err
		}
		return Job{Sync: &sj}, nil
	case d.Generate != nil:
		g, err := generation(d, r)
		if err != nil {
			return Job{}, err
		}
		return Job{Generate: g}, nil
	}
	return Job{}, fmt.Errorf("job %s has no source (sync or generate)", d.Name)
}

// syncJob resolves a data sync.
func syncJob(d Definition, r Resolved) (syncplan.Job, error) {
	s := d.Sync
	out := syncplan.Job{
		SubsetByForeignKeys: s.SubsetByForeignKeys, HaltOnNewColumn: s.HaltOnNewColumn, Key: d.Key, PRF: s.PRF, LeakPolicy: s.LeakPolicy,
		RangeRows: s.RangeRows,
		Subsets:   slices.Clone(s.Subsets), VirtualForeignKeys: slices.Clone(d.VirtualForeignKeys), Import: s.Import,
	}
	if r.Connections != nil {
		src, err := r.connection(d.Name, "source", s.ConnectionID)
		if err != nil {
			return syncplan.Job{}, err
		}
		if src.Err != nil {
			return syncplan.Job{}, fmt.Errorf("source connection %q: %w", src.Name, src.Err)
		}
		out.Source = src.Config
		for _, dst := range d.Destinations {
			c, err := r.connection(d.Name, "destination", dst.ConnectionID)
			if err != nil {
				return syncplan.Job{}, err
			}
			if c.Err != nil {
				return syncplan.Job{}, fmt.Errorf("destination connection %q: %w", c.Name, c.Err)
			}
			out.Destinations = append(out.Destinations, syncplan.Destination{Name: c.Name, Conn: c.Config, Options: dst.Options})
		}
	}
	var err error
	if out.Mappings, err = r.mappings(d.Mappings); err != nil {
		return syncplan.Job{}, err
	}
	return out, nil
}

// generation resolves a data generation. Its connection errors keep the
// worker's wording ("schema connection: …", "destination: …").
func generation(d Definition, r Resolved) (*Generation, error) {
	g := d.Generate
	out := &Generation{Request: generate.Request{Tables: make(map[sqlschema.TableName]int64, len(g.Tables))}}
	if r.Connections != nil {
		c, err := r.connection(d.Name, "schema", g.SchemaConnectionID)
		if err != nil {
			return nil, err
		}
		if c.Err != nil {
			return nil, fmt.Errorf("schema connection: %w", c.Err)
		}
		out.Schema = c.Config
		for _, dst := range d.Destinations {
			c, err := r.connection(d.Name, "destination", dst.ConnectionID)
			if err != nil {
				return nil, err
			}
			if c.Err != nil {
				return nil, fmt.Errorf("destination: %w", c.Err)
			}
			out.Destinations = append(out.Destinations, syncplan.Destination{Name: c.Name, Conn: c.Config, Options: dst.Options})
		}
	}
	for _, t := range g.Tables {
		out.Request.Tables[t.Table] = t.RowCount
	}
	var err error
	if out.Request.Mappings, err = r.mappings(d.Mappings); err != nil {
		return nil, err
	}
	return out, nil
}

// connection looks up a connection the job references as role.
func (r Resolved) connection(job, role, id string) (Connection, error) {
	c, ok := r.Connections[id]
	if !ok {
		return Connection{}, fmt.Errorf("job %s: %s connection %s was not resolved", job, role, id)
	}
	return c, nil
}

// mappings replaces user-defined transformers by the system transformer
// each one configures.
func (r Resolved) mappings(in []Mapping) ([]syncplan.Mapping, error) {
	out := make([]syncplan.Mapping, 0, len(in))
	for _, m := range in {
		t := m.Transformer
		if m.UserDefinedID != "" {
			u, ok := r.Transformers[m.UserDefinedID]
			if !ok {
				return nil, fmt.Errorf("mapping %s.%s.%s: user-defined transformer %s was not resolved", m.Schema, m.Table, m.Column, m.UserDefinedID)
			}
			t = u
		}
		out = append(out, syncplan.Mapping{Schema: m.Schema, Table: m.Table, Column: m.Column, Transformer: t})
	}
	return out, nil
}
