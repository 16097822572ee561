package activities

import (
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
)

// TestSnapshotHolders: a second StartRun attempt's snapshot replaces the
// first; a watcher of a replaced snapshot cannot release its successor;
// FinishRun (release with nil) releases whatever the run holds.
func TestSnapshotHolders(t *testing.T) {
	var h snapshotHolders
	first, second := &sqlsync.RunSnapshot{ID: "00000003-0000001B-1"}, &sqlsync.RunSnapshot{ID: "00000003-0000001C-1"}
	h.put("run", first)
	h.put("run", second)
	if h.holds("run", first) || !h.holds("run", second) {
		t.Fatal("the second attempt's snapshot did not replace the first")
	}
	h.release("run", first)
	if !h.holds("run", second) {
		t.Fatal("the first snapshot's watcher released the second")
	}
	h.release("run", nil)
	if h.holds("run", second) || len(h.byRun) != 0 {
		t.Fatalf("FinishRun left %v", h.byRun)
	}
	h.release("other", nil) // nothing held: no-op
}
