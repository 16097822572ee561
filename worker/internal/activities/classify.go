package activities

import (
	"errors"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/sdk/temporal"

	"github.com/neosyncio/neosync/backend/pkg/generate"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// Errors are classified once, here. A permanent error — the schema, the
// mappings, the credentials, a value a transformer rejects, a constraint
// the data violates — fails the run on its first attempt with the
// database's own message; retrying it would only delay the same answer by
// minutes. A transient one — the network, a deadlock, a serialization
// failure, a server restarting, a lock timeout — is returned as is and
// retried with backoff. Anything unknown is retried.

// classify returns the non-retryable error type of a permanent error, or
// "" for a transient or unknown one.
func classify(err error) string {
	var ce *sqlconnect.ConnectError
	if errors.As(err, &ce) {
		switch ce.Kind {
		case sqlconnect.KindAuthentication:
			return ErrTypeAuthentication
		case sqlconnect.KindUnknownDatabase, sqlconnect.KindConfig, sqlconnect.KindTLS, sqlconnect.KindHostKey:
			return ErrTypeValidation
		}
		return ""
	}
	var (
		cfg *sqlconnect.ConfigError
		ve  *syncplan.ValidationError
		ide *sqlschema.IdentifierError
		val *transformers.ValueError
		par *transformers.ParamError
		unk *transformers.UnknownTransformerError
		js  *transformers.JavaScriptError
		gen *generate.ValidationError
	)
	if errors.As(err, &cfg) || errors.As(err, &ve) || errors.As(err, &ide) || errors.As(err, &par) || errors.As(err, &unk) || errors.As(err, &js) || errors.As(err, &gen) {
		return ErrTypeValidation
	}
	if errors.As(err, &val) {
		return ErrTypeData
	}
	// Objects Finalize could not build: the rows (duplicates, orphans) or
	// the destination's own definitions stand in the way, not the network.
	// So does a table that drops rows it is given (a trigger).
	var fe *sqlsync.FinalizeError
	var wc *sqlsync.WriteCountError
	if errors.As(err, &fe) || errors.As(err, &wc) {
		return ErrTypeData
	}
	// A destination that is the source, a truncate that would empty
	// tables outside the job without truncate_cascade, or one between
	// tables of the job linked by inheritance: the job must change.
	// So does a generate destination that is the schema's own database or
	// of another kind, or whose tables hold rows it was not told to replace.
	var same *sqlsync.SameDatabaseError
	var reach *sqlsync.TruncateCascadeError
	var inherits *sqlsync.InheritanceError
	var self *generate.SchemaDatabaseError
	var occupied *generate.OccupiedError
	var kind *generate.KindError
	if errors.As(err, &same) || errors.As(err, &reach) || errors.As(err, &inherits) || errors.As(err, &self) || errors.As(err, &occupied) || errors.As(err, &kind) {
		return ErrTypeValidation
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return classifyPostgres(pg.Code)
	}
	var my *mysql.MySQLError
	if errors.As(err, &my) {
		return classifyMySQL(my.Number)
	}
	return ""
}

// classifyPostgres sorts SQLSTATE codes.
func classifyPostgres(code string) string {
	switch {
	case code == "42501" || strings.HasPrefix(code, "2B"):
		return ErrTypePermission
	case strings.HasPrefix(code, "28"):
		return ErrTypeAuthentication
	case strings.HasPrefix(code, "22"), strings.HasPrefix(code, "23"), strings.HasPrefix(code, "44"):
		return ErrTypeData
	case strings.HasPrefix(code, "42"), strings.HasPrefix(code, "3D"), strings.HasPrefix(code, "3F"), strings.HasPrefix(code, "0A"),
		code == "25006": // read-only transaction: a read-only destination stays read-only
		return ErrTypeValidation
	}
	// 08 connection, 40 rollback (serialization, deadlock), 53 resources,
	// 55 lock not available, 57 operator intervention, 58 system, XX.
	return ""
}

// classifyMySQL sorts MySQL and MariaDB error numbers.
func classifyMySQL(n uint16) string {
	switch n {
	case 1044, 1045, 1698:
		return ErrTypeAuthentication
	case 1142, 1143, 1227, 1370:
		return ErrTypePermission
	case 1049, 1146, 1054, 1064, 1109, 1290, 1050, 1051, 1091, 1072, 1166:
		return ErrTypeValidation
	case 1048, 1062, 1169, 1216, 1217, 1264, 1265, 1292, 1364, 1365, 1366, 1406, 1451, 1452, 1557, 1586, 3819, 4025:
		return ErrTypeData
	}
	// 1205 lock wait timeout, 1213 deadlock, 1040 too many connections,
	// 1053 shutdown, 1927 connection killed, 2006/2013 server gone, …
	return ""
}

// dataError classifies a data-plane failure: a permanent one becomes a
// non-retryable application error with the database's message, anything
// else is returned unchanged for Temporal to retry.
func dataError(err error) error {
	if err == nil || isNonRetryable(err) {
		return err
	}
	if t := classify(err); t != "" {
		return temporal.NewNonRetryableApplicationError(err.Error(), t, nil)
	}
	return err
}

// RootMessage strips Temporal's wrapping ("activity error (...): ...")
// down to the cause a user can act on: an application error's own
// message, a timeout's kind, or err's text.
func RootMessage(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Message()
	}
	var te *temporal.TimeoutError
	if errors.As(err, &te) {
		return "timed out (" + te.TimeoutType().String() + "): " + te.Error()
	}
	return err.Error()
}

// countTransformerError counts a copy that failed because a transformer
// rejected a value or its JavaScript failed.
func (a *Activities) countTransformerError(jobID string, err error) {
	var (
		val *transformers.ValueError
		js  *transformers.JavaScriptError
	)
	switch {
	case errors.As(err, &js):
		a.Metrics.TransformerError(jobID, "javascript")
	case errors.As(err, &val):
		a.Metrics.TransformerError(jobID, "value")
	}
}
