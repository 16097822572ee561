package envconfig

import (
	"log/slog"

	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
	"github.com/neosyncio/neosync/backend/pkg/temporalconn"
)

// Temporal locates the Temporal frontend, namespace and task queue the API
// starts workflows on and the worker polls.
type Temporal struct {
	URL       string // TEMPORAL_URL [127.0.0.1:7233]
	Namespace string // TEMPORAL_NAMESPACE [default]
	TaskQueue string // TEMPORAL_TASK_QUEUE [jobcontract.DefaultTaskQueue]
	// Cert and Key (TEMPORAL_CERT, TEMPORAL_KEY) are a client certificate
	// for mTLS, PEM text or file paths; both or neither.
	Cert, Key string
}

// TemporalEnvNames are the variables ReadTemporal reads.
var TemporalEnvNames = []string{"TEMPORAL_URL", "TEMPORAL_NAMESPACE", "TEMPORAL_TASK_QUEUE", "TEMPORAL_CERT", "TEMPORAL_KEY"}

// ReadTemporal reads and validates the TEMPORAL_* variables.
func ReadTemporal(getenv Getenv) (Temporal, error) {
	t := Temporal{
		URL:       Lookup(getenv, "TEMPORAL_URL", "127.0.0.1:7233"),
		Namespace: Lookup(getenv, "TEMPORAL_NAMESPACE", "default"),
		TaskQueue: Lookup(getenv, "TEMPORAL_TASK_QUEUE", jobcontract.DefaultTaskQueue),
		Cert:      getenv("TEMPORAL_CERT"),
		Key:       getenv("TEMPORAL_KEY"),
	}
	if (t.Cert == "") != (t.Key == "") {
		return t, &Error{Var: "TEMPORAL_CERT and TEMPORAL_KEY", Problem: "must be set together"}
	}
	return t, nil
}

// Conn is how temporalconn dials t, logging through log.
func (t Temporal) Conn(log *slog.Logger) temporalconn.Config {
	return temporalconn.Config{HostPort: t.URL, Namespace: t.Namespace, Cert: t.Cert, Key: t.Key, Logger: log}
}
