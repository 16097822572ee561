package sqlsync

import (
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/mysqlsync"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/pgsync"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
)

// The types a caller of the engine uses are defined with the dialect
// packages' shared contract, package syncdriver, and named here so that
// callers need only sqlsync.

// Source is the database a sync reads (see syncdriver.Source).
type Source = syncdriver.Source

// Destination is one database a sync writes, with its options (see
// syncdriver.Destination).
type Destination = syncdriver.Destination

// Checkpoint is how far a table's copy has durably got (see
// syncdriver.Checkpoint and "Crash-safe resume" above).
type Checkpoint = syncdriver.Checkpoint

// Progress is reported while a table is copied.
type Progress = syncdriver.Progress

// RowSource is where the stream path reads rows (see
// syncdriver.RowSource and "Streaming from a RowSource" above).
type RowSource = syncdriver.RowSource

// FinalizeError is a Finalize (or Restore) that built every object it
// could but not all of them (see syncdriver.FinalizeError).
type FinalizeError = syncdriver.FinalizeError

// WriteCountError is a batch the destination took fewer rows of than it
// sent (see syncdriver.WriteCountError).
type WriteCountError = syncdriver.WriteCountError

// CollisionError is a copied row refused because a row of the user's in a
// table the job does not empty holds its key (see
// syncdriver.CollisionError).
type CollisionError = syncdriver.CollisionError

// MissingConstraint is one object the destination lacks after Finalize.
type MissingConstraint = syncdriver.MissingConstraint

// ObjectKind names what Finalize builds.
type ObjectKind = syncdriver.ObjectKind

// MissingReason says why an object could not be built.
type MissingReason = syncdriver.MissingReason

// Object kinds, as they read in messages.
const (
	KindPrimaryKey  = syncdriver.KindPrimaryKey
	KindUnique      = syncdriver.KindUnique
	KindExclusion   = syncdriver.KindExclusion
	KindCheck       = syncdriver.KindCheck
	KindUniqueIndex = syncdriver.KindUniqueIndex
	KindIndex       = syncdriver.KindIndex
	KindForeignKey  = syncdriver.KindForeignKey
)

// Reasons an object is missing (see syncdriver.MissingReason).
const (
	ReasonDuplicates           = syncdriver.ReasonDuplicates
	ReasonNulls                = syncdriver.ReasonNulls
	ReasonOrphans              = syncdriver.ReasonOrphans
	ReasonReferencedKeyMissing = syncdriver.ReasonReferencedKeyMissing
	ReasonDefinitionDiffers    = syncdriver.ReasonDefinitionDiffers
	ReasonError                = syncdriver.ReasonError
)

// SessionPrefix starts the name of every destination session the engine
// tags (see syncdriver.SessionPrefix).
const SessionPrefix = syncdriver.SessionPrefix

// SessionName is the name the engine gives the destination sessions of a
// step tagged tag (see syncdriver.SessionName).
func SessionName(tag string) string { return syncdriver.SessionName(tag) }

// driverOf returns the dialect package that runs db's SQL.
func driverOf(db *sqlconnect.DB) syncdriver.Driver {
	if db.Driver == sqlconnect.DriverPostgres {
		return pgsync.Driver{}
	}
	return mysqlsync.Driver{}
}
