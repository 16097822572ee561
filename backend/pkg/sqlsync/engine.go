package sqlsync

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// Engine runs the steps of a sync. It holds only what every job shares
// (the transformer registry and a logger), so one Engine serves every job
// of a worker or CLI process; each step receives the plan and the open
// connections. Its methods are safe for concurrent use.
type Engine struct {
	// Registry builds the transformers of the plan's columns.
	Registry *transformers.Registry
	// Logger receives one line per table copied and per resume.
	Logger *slog.Logger
	// Workers is the number of goroutines that transform the rows of one
	// PostgreSQL table (see the package documentation); 0 means one per
	// CPU, at most MaxDefaultWorkers.
	Workers int
}

// MaxDefaultWorkers caps the default number of transforming goroutines per
// table.
const MaxDefaultWorkers = 4

func (e *Engine) workers() int {
	if e.Workers > 0 {
		return e.Workers
	}
	return min(runtime.GOMAXPROCS(0), MaxDefaultWorkers)
}

// NewEngine returns an Engine; a nil logger discards logs.
func NewEngine(reg *transformers.Registry, logger *slog.Logger) *Engine {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Engine{Registry: reg, Logger: logger}
}

// Source is the database a sync reads and the job key its transformers
// use. Neither travels in the plan.
type Source struct {
	DB *sqlconnect.DB
	// Key enables consistent mode (see syncplan.Job.Key).
	Key []byte
}

// Destination is one database a sync writes, with its options.
type Destination struct {
	// Name identifies the destination in errors and reports.
	Name    string
	DB      *sqlconnect.DB
	Options syncplan.DestinationOptions
	// SessionTag, when set, names the destination sessions the engine
	// opens: PostgreSQL sessions get application_name SessionName(tag),
	// and long MySQL statements (the copy's loads and deletes, truncates,
	// foreign keys added, update passes) start with the comment
	// "/* " + SessionName(tag) + " */".
	// The worker tags each step with its run and step (e.g.
	// "<run id>:<destination>:finalize"), so that a retried step can end
	// its dead predecessor's sessions with EndStaleSessions. It holds no
	// secret: it is visible to every user of the destination server.
	SessionTag string
	// OnStep, when set, is called before each statement of Finalize and
	// Restore and each foreign key of the update passes, with what is
	// about to run ("add primary key orders_pkey on public.orders"), so
	// the caller can record it; a long statement (an index build, a
	// foreign key validation) then shows what it is while the caller
	// heartbeats on its own timer. It is called from the step's goroutine.
	OnStep func(what string)
}

// Checkpoint is how far a table's copy has durably got. The worker
// heartbeats it; a retried SyncTable given the last one it saw continues
// from there (see the package documentation). It is JSON-serialisable and
// holds no secret, but Key holds source key values.
type Checkpoint struct {
	Table sqlschema.TableName `json:"table"`
	// Rows is the number of rows committed in the destination.
	Rows int64 `json:"rows"`
	// Key is the source key of the last committed row (keyed tables), as
	// text in the source's representation.
	Key []string `json:"key,omitempty"`
	// Done is true once the whole table is committed.
	Done bool `json:"done,omitempty"`
}

// Progress is reported while a table is copied.
type Progress struct {
	Table sqlschema.TableName
	// Rows is the number of rows streamed so far, committed or not.
	Rows int64
	// Checkpoint is the last durable point.
	Checkpoint Checkpoint
}

// SyncTable copies one table of the plan from src to dst. A nil cp starts
// from the beginning; a checkpoint from an interrupted attempt resumes it
// without losing or duplicating rows, as the package documentation
// explains. report, when not nil, is called after every commit and about
// once a second while rows stream (never concurrently). It returns the
// final checkpoint (Done set). Errors name the table, the batch and the
// cause.
func (e *Engine) SyncTable(ctx context.Context, plan *syncplan.Plan, table sqlschema.TableName, src Source, dst Destination, cp *Checkpoint, report func(Progress)) (Checkpoint, error) {
	t := plan.Table(table)
	if t == nil {
		return Checkpoint{}, fmt.Errorf("sqlsync: table %s is not in the plan", table)
	}
	if cp != nil && cp.Done {
		return *cp, nil
	}
	if err := sameDriver(src.DB, dst.DB); err != nil {
		return Checkpoint{}, err
	}
	dst, err := e.resolve(ctx, plan, src.DB, dst)
	if err != nil {
		return Checkpoint{}, err
	}
	if cp != nil && cp.Table != table {
		return Checkpoint{}, fmt.Errorf("sqlsync: checkpoint of table %s given for table %s", cp.Table, table)
	}
	if report == nil {
		report = func(Progress) {}
	}
	job := &tableJob{engine: e, plan: plan, table: t, src: src, dst: dst, report: report}
	if cp != nil {
		job.start = *cp
	} else {
		job.start = Checkpoint{Table: table}
	}
	var out Checkpoint
	switch dst.DB.Driver {
	case sqlconnect.DriverPostgres:
		out, err = job.run(ctx, job.openPostgres)
	default:
		out, err = job.run(ctx, job.openMySQL)
	}
	if err != nil {
		return out, err
	}
	e.Logger.InfoContext(ctx, "table copied", slog.String("table", table.String()), slog.Int64("rows", out.Rows))
	return out, nil
}

func sameDriver(src, dst *sqlconnect.DB) error {
	if src == nil || dst == nil {
		return fmt.Errorf("sqlsync: source and destination connections are required")
	}
	if src.Driver != dst.Driver {
		return fmt.Errorf("sqlsync: syncing %s into %s is not supported", src.Driver, dst.Driver)
	}
	return nil
}

// tableJob is one SyncTable call.
type tableJob struct {
	engine *Engine
	plan   *syncplan.Plan
	table  *syncplan.Table
	src    Source
	dst    Destination
	start  Checkpoint
	report func(Progress)
}

// destName is the table's name in the destination.
func (j *tableJob) destName() sqlschema.TableName { return j.dst.Options.DestTable(j.table.Name) }
