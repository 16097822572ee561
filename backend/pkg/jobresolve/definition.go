package jobresolve

import (
	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// Definition is a job as every caller can express it: what it reads, what
// it does to each column and where it writes, with its references
// (connections, user-defined transformers) by id.
type Definition struct {
	// Name names the job in error messages.
	Name string
	// Sync is set for a data sync job, Generate for a data generation
	// job; exactly one of them.
	Sync     *SyncSource
	Generate *GenerateSource
	// Mappings choose a transformer per column.
	Mappings           []Mapping
	VirtualForeignKeys []syncplan.VirtualForeignKey
	// Destinations are the connections written to, in job order.
	Destinations []Destination
	// Key is the job key of consistent mode (a secret); nil when the
	// caller was not given it.
	Key []byte
}

// SyncSource is where a data sync reads and which rows it keeps.
type SyncSource struct {
	ConnectionID        string
	Subsets             []syncplan.Subset
	SubsetByForeignKeys bool
	HaltOnNewColumn     bool
	// PRF is the job's consistent-mode PRF version (see
	// transformers.PRFVersion); the zero value is v1.
	PRF transformers.PRFVersion
	// LeakPolicy holds the job's leak thresholds.
	LeakPolicy leakscan.Policy
	// RangeRows is the job's rows per key range (see
	// syncplan.Job.RangeRows); 0 leaves it to the worker.
	RangeRows int64
	// Import is set when the source is an S3 bucket read back.
	Import *syncplan.Import
}

// GenerateSource is where a data generation reads its schema and how many
// rows it writes to each table.
type GenerateSource struct {
	SchemaConnectionID string
	Tables             []GenerateTable
}

// GenerateTable asks for RowCount rows in one table.
type GenerateTable struct {
	Table    sqlschema.TableName
	RowCount int64
}

// Mapping assigns a transformer to one column: the system transformer
// Transformer, or, when UserDefinedID is set, the user-defined transformer
// with that id (which replaces Transformer).
type Mapping struct {
	Schema, Table, Column string
	Transformer           syncplan.Transformer
	UserDefinedID         string
}

// Destination is one connection written to, with its options.
type Destination struct {
	ConnectionID string
	Options      syncplan.DestinationOptions
}

// Connection is a resolved connection: its name (for messages and
// progress) and its settings, or Err when the stored settings could not be
// read (Resolve reports it with the connection's role in the job).
type Connection struct {
	Name   string
	Config sqlconnect.Config
	Err    error
}

// Resolved holds what a Definition references, fetched by the caller.
type Resolved struct {
	// Connections by id. Nil when the caller reaches the databases some
	// other way: the job then comes back without its source, schema and
	// destination connections.
	Connections map[string]Connection
	// Transformers are the user-defined transformers by id, as the system
	// transformer each one configures.
	Transformers map[string]syncplan.Transformer
}

// ConnectionIDs lists, once each, the connections Resolve needs: the
// source (or schema) connection first, then the destinations in order.
func (d Definition) ConnectionIDs() []string {
	var ids []string
	if d.Sync != nil {
		ids = append(ids, d.Sync.ConnectionID)
	}
	if d.Generate != nil {
		ids = append(ids, d.Generate.SchemaConnectionID)
	}
	for _, dst := range d.Destinations {
		ids = append(ids, dst.ConnectionID)
	}
	return unique(ids)
}

// TransformerIDs lists, once each and in mapping order, the user-defined
// transformers Resolve needs.
func (d Definition) TransformerIDs() []string {
	var ids []string
	for _, m := range d.Mappings {
		if m.UserDefinedID != "" {
			ids = append(ids, m.UserDefinedID)
		}
	}
	return unique(ids)
}

// unique drops repeated ids, keeping the first of each.
func unique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
