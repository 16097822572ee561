package layering

const (
	backend = Module + "backend/"
	worker  = Module + "worker/..."
	cli     = Module + "cli/..."
)

// sqlDrivers are the packages that open or query a database.
var sqlDrivers = []string{"database/sql", "github.com/jackc/pgx/...", "github.com/go-sql-driver/mysql/...", "github.com/golang-migrate/migrate/..."}

// Rules are the dependency directions of DESIGN.md §2 that hold today; a
// change that breaks one must change the design first.
var Rules = []Rule{
	{
		Name: "backend/pkg never imports backend/internal",
		Why:  "backend/pkg is the library the worker and the CLI share; it knows nothing of the API's internals",
		From: []string{backend + "pkg/..."}, Forbid: []string{backend + "internal/...", backend + "cmd/..."},
	},
	{
		Name: "worker and CLI import only backend/pkg and backend/gen",
		Why:  "the worker and the CLI talk to the API through its generated clients, never through its code (Go's internal rule covers backend/internal already)",
		From: []string{worker, cli}, Forbid: []string{backend + "internal/...", backend + "cmd/..."},
	},
	{
		Name: "backend never imports the worker or the CLI",
		Why:  "the API starts workflows by name through backend/pkg/jobcontract, never by importing worker code",
		From: []string{backend + "..."}, Forbid: []string{worker, cli},
	},
	{
		Name: "domain never imports connect or the generated API",
		Why:  "domain code returns typed errors and domain values; the rpc layer alone maps them to Connect codes and protobuf",
		From: []string{backend + "internal/domain/..."}, Forbid: []string{"connectrpc.com/...", backend + "gen/..."},
	},
	{
		Name:      "no connect types below the rpc layer",
		Why:       "errors are mapped to Connect codes in one place, the rpc layer (server wires it; apitest drives it as a client)",
		From:      []string{backend + "internal/..."},
		Except:    []string{backend + "internal/rpc/...", backend + "internal/server/...", backend + "internal/apitest/..."},
		Forbid:    []string{"connectrpc.com/connect/...", backend + "gen/..."},
		SkipTests: true,
	},
	{
		Name: "rpc handlers call domain code, not the store or Temporal",
		Why:  "handlers are thin: decode, authorize, call a domain function, encode; SQL lives in the store and scheduling in the scheduler",
		From: []string{backend + "internal/rpc/..."}, Direct: true,
		Forbid: append([]string{backend + "internal/store/...", backend + "internal/scheduler/...", backend + "pkg/temporalconn/...", "go.temporal.io/..."}, sqlDrivers...),
	},
	{
		Name: "the API's own SQL lives in backend/internal/store",
		Why:  "the API's state is queried through sqlc in one package; other API packages call the store (apitest opens the test database it hands to the store)",
		From: []string{backend + "internal/...", backend + "cmd/..."}, Direct: true,
		Except:    []string{backend + "internal/store/...", backend + "internal/apitest/..."},
		Forbid:    sqlDrivers,
		SkipTests: true,
	},
	{
		Name:   "transformers are pure",
		Why:    "a transformer is a function of (value, row, config, key): no I/O, no proto, no database; so is the JavaScript sandbox under it (jsrunner is the sandbox's process boundary)",
		From:   []string{backend + "pkg/transformers/...", backend + "pkg/jsvm/..."},
		Except: []string{backend + "pkg/jsvm/jsrunner/..."},
		Direct: true, SkipTests: true,
		Forbid: append([]string{"os", "os/exec", "net", "net/http", "google.golang.org/protobuf/...", "connectrpc.com/...", backend + "gen/..."}, sqlDrivers...),
	},
}
