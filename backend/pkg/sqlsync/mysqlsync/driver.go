package mysqlsync

import (
	"context"
	"errors"

	"github.com/go-sql-driver/mysql"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// Driver is the MySQL/MariaDB syncdriver.Driver. It holds nothing: the
// engine passes every step what it needs.
type Driver struct{}

var _ syncdriver.Driver = Driver{}

// Prepare implements syncdriver.Driver (see mysqlPrepare).
func (Driver) Prepare(ctx context.Context, plan *syncplan.Plan, dst syncdriver.Destination, reach []syncplan.Reference) error {
	return mysqlPrepare(ctx, plan, dst, reach)
}

// OpenCopy implements syncdriver.Driver: a streaming SELECT written with
// LOAD DATA LOCAL INFILE.
func (Driver) OpenCopy(ctx context.Context, j *syncdriver.TableJob, out []syncplan.Column) (syncdriver.CopySide, error) {
	return openMySQL(ctx, j, out)
}

// OpenLoad implements syncdriver.Driver.
func (Driver) OpenLoad(ctx context.Context, j *syncdriver.TableJob, src syncdriver.RowSource, out []syncplan.Column) (syncdriver.CopySide, error) {
	return openStreamMySQL(ctx, j, src, out)
}

// UpdatePass implements syncdriver.Driver.
func (Driver) UpdatePass(ctx context.Context, j *syncdriver.TableJob) error {
	return mysqlUpdatePass(ctx, j)
}

// LoadUpdatePass implements syncdriver.Driver.
func (Driver) LoadUpdatePass(ctx context.Context, j *syncdriver.TableJob, src syncdriver.RowSource) error {
	return mysqlStreamUpdatePass(ctx, j, src)
}

// Finalize implements syncdriver.Driver.
func (Driver) Finalize(ctx context.Context, plan *syncplan.Plan, run *syncdriver.FinalizeRun) error {
	return mysqlFinalize(ctx, plan, run)
}

// Verifier implements syncdriver.Driver.
func (Driver) Verifier(plan *syncplan.Plan, src *sqlconnect.DB, dst *syncdriver.Destination) syncdriver.Verifier {
	v := &mysqlVerifier{q: syncdriver.NewQuoter(plan.Dialect)}
	if src != nil {
		v.src = src.MySQL
	}
	if dst != nil {
		v.dst, v.tag = dst.DB.MySQL, tag(*dst)
	}
	return v
}

// EndSessions implements syncdriver.Driver: KILL CONNECTION.
func (Driver) EndSessions(ctx context.Context, db *sqlconnect.DB, prefix string) (int, error) {
	return mysqlEndSessions(ctx, db.MySQL, prefix)
}

// tag returns the comment that starts d's long MySQL statements ("" without
// a SessionTag), so that they show in information_schema.PROCESSLIST.INFO
// for EndStaleSessions.
func tag(d syncdriver.Destination) string {
	if d.SessionTag == "" {
		return ""
	}
	return "/* " + d.Session() + " */ "
}

// Duplicate implements syncdriver.Driver: error 1062, ER_DUP_ENTRY.
func (Driver) Duplicate(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1062
}
