package activities

import (
	"context"
	"testing"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// poolTestDB creates a PostgreSQL test database and returns a context for
// the test, the database's connection settings and their stash key.
func poolTestDB(t *testing.T, prefix string) (context.Context, sqlconnect.Config, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	cfg := sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: testdb.Postgres(t, prefix)}
	key, ok := connKey(cfg)
	if !ok {
		t.Fatal("no key for a connection's settings")
	}
	return ctx, cfg, key
}

// TestPoolStash hands real PostgreSQL pools between the steps of runs: a
// step's idle pool goes to its run's next step and to no other run's, one
// with a connection in use is closed instead, a run keeps at most
// poolsPerKey pools per connection, and pools are closed when their run
// finishes or has not come back for poolIdleTTL.
func TestPoolStash(t *testing.T) {
	t.Parallel()
	ctx, cfg, key := poolTestDB(t, "neosync_pools")
	other, _ := connKey(sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: cfg.URL + "&application_name=x"})
	if other == key {
		t.Fatal("two connections' settings share a key")
	}
	open := func() *sqlconnect.DB {
		db, err := sqlconnect.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	closed := func(db *sqlconnect.DB) bool { return db.Postgres.Ping(ctx) != nil }
	var s poolStash
	now := time.Now()

	a := open()
	s.put("run1", key, a, now)
	if got := s.take("run2", key, now); got != nil {
		t.Fatal("another run took run1's pool")
	}
	if got := s.take("run1", other, now); got != nil {
		t.Fatal("another connection's step took the pool")
	}
	if got := s.take("run1", key, now); got != a || closed(a) {
		t.Fatalf("run1's next step got %p (closed %v), want its pool %p open", got, closed(a), a)
	}
	if got := s.take("run1", key, now); got != nil {
		t.Fatal("a pool was taken twice")
	}

	// A pool with a connection in use is closed, not stashed.
	conn, err := a.Postgres.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.put("run1", key, a, now)
	if s.len() != 0 {
		t.Fatal("a pool with a connection in use was stashed")
	}
	conn.Release()
	for deadline := time.Now().Add(time.Minute); !closed(a) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !closed(a) {
		t.Fatal("a pool put back with a connection in use was not closed once it was released")
	}

	// At most poolsPerKey per run and connection; the rest are closed.
	var dbs []*sqlconnect.DB
	for range poolsPerKey + 1 {
		db := open()
		dbs = append(dbs, db)
		s.put("run1", key, db, now)
	}
	if s.len() != poolsPerKey || !closed(dbs[poolsPerKey]) {
		t.Fatalf("%d pools stashed for one run and connection (the extra one closed: %v); want %d", s.len(), closed(dbs[poolsPerKey]), poolsPerKey)
	}
	// A finished run's pools are closed.
	s.closeRun("run1")
	for i, db := range dbs[:poolsPerKey] {
		if !closed(db) {
			t.Errorf("pool %d of the finished run is still open", i)
		}
	}

	// A pool its run did not come back for within poolIdleTTL is closed.
	b := open()
	s.put("run3", key, b, now)
	s.expire(now.Add(poolIdleTTL / 2))
	if closed(b) || s.len() != 1 {
		t.Fatal("a pool was closed before poolIdleTTL")
	}
	if got := s.take("run3", key, now.Add(poolIdleTTL+time.Second)); got != nil || !closed(b) {
		t.Fatalf("a pool past poolIdleTTL was handed out (%v) or left open (%v)", got != nil, !closed(b))
	}
}

// TestPoolStashSweeps: a stashed pool nobody takes is closed by the sweep
// the stash runs while it holds pools.
func TestPoolStashSweeps(t *testing.T) {
	t.Parallel()
	ctx, cfg, key := poolTestDB(t, "neosync_pools_sweep")
	db, err := sqlconnect.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var s poolStash
	// Stashed as if poolIdleTTL ago: the first sweep closes it.
	s.put("run", key, db, time.Now().Add(-poolIdleTTL-time.Second))
	deadline := time.Now().Add(poolIdleTTL)
	for s.len() > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if s.len() != 0 || db.Postgres.Ping(ctx) == nil {
		t.Fatal("the sweep did not close an expired pool")
	}
}

// expire (for tests) closes the pools stashed longer than poolIdleTTL before now.
func (s *poolStash) expire(now time.Time) {
	s.mu.Lock()
	expired := s.expireLocked(now)
	s.mu.Unlock()
	closeAll(expired)
}

// len is the number of stashed pools.
func (s *poolStash) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, l := range s.idle {
		n += len(l)
	}
	return n
}
