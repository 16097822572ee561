package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
)

// A run's steps reuse its database pools on a worker. Opening a pool
// costs a connection (TCP, TLS, authentication, a backend process on
// PostgreSQL) before the first statement: 18-21 ms per pool on a local
// server here, far more across a network with TLS, and a single-table
// run opened seven (the plan, prepare, the copy's two, finalize,
// verify's two). A step that succeeds hands its pools back to the
// worker's stash, keyed by the run and the connection, and the run's next
// step on this worker takes them instead of opening new ones. A taken
// pool is the step's alone, as a freshly opened one was, so steps never
// wait on each other's connections. A pool goes back only when none of
// its connections is in use and the step succeeded (its session settings
// were reset on the way out; a failed step's pool is closed, with
// whatever state an interrupted statement left). FinishRun closes the
// run's stashed pools; a pool unused for poolIdleTTL (a run that finished
// on another worker) is closed by a sweep that runs while the stash holds
// any.

// poolIdleTTL is how long a stashed pool may wait for its run's next step.
const poolIdleTTL = 30 * time.Second

// poolsPerKey bounds the stashed pools of one run and connection (the
// run's table concurrency, by default).
const poolsPerKey = 4

// poolKey names the pools one run opened for one connection.
type poolKey struct {
	run  string
	conn string // SHA-256 of the resolved connection settings
}

// stashedPool is a pool waiting for its run's next step.
type stashedPool struct {
	db    *sqlconnect.DB
	since time.Time
}

// poolStash holds the pools of finished steps for their runs' next ones.
type poolStash struct {
	mu   sync.Mutex
	idle map[poolKey][]stashedPool
	// sweeping is whether a goroutine closes expired pools (sweep); it
	// runs while the stash holds any.
	sweeping bool
}

// connKey fingerprints resolved connection settings: equal settings, and
// only they, share pools.
func connKey(cfg sqlconnect.Config) (string, bool) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return "", false
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), true
}

// take returns a stashed pool of run for the settings key, or nil.
func (s *poolStash) take(run, key string, now time.Time) *sqlconnect.DB {
	s.mu.Lock()
	expired := s.expireLocked(now)
	k := poolKey{run, key}
	var db *sqlconnect.DB
	if l := s.idle[k]; len(l) > 0 {
		db = l[len(l)-1].db
		if len(l) == 1 {
			delete(s.idle, k)
		} else {
			s.idle[k] = l[:len(l)-1]
		}
	}
	s.mu.Unlock()
	closeAll(expired)
	return db
}

// put stashes db for run's next step, or closes it when it has a
// connection in use or the run already stashes poolsPerKey pools of
// these settings. A pool with a connection in use closes once that
// connection is released, without holding up the caller.
func (s *poolStash) put(run, key string, db *sqlconnect.DB, now time.Time) {
	if !db.Idle() {
		go db.Close()
		return
	}
	s.mu.Lock()
	expired := s.expireLocked(now)
	k := poolKey{run, key}
	if len(s.idle[k]) >= poolsPerKey {
		expired = append(expired, db)
	} else {
		if s.idle == nil {
			s.idle = map[poolKey][]stashedPool{}
		}
		s.idle[k] = append(s.idle[k], stashedPool{db: db, since: now})
		if !s.sweeping {
			s.sweeping = true
			go s.sweep(poolIdleTTL / 3)
		}
	}
	s.mu.Unlock()
	closeAll(expired)
}

// sweep closes expired pools every interval until the stash is empty, so
// that a run which finished on another worker does not keep connections
// open here.
func (s *poolStash) sweep(every time.Duration) {
	for {
		time.Sleep(every)
		s.mu.Lock()
		expired := s.expireLocked(time.Now())
		empty := len(s.idle) == 0
		if empty {
			s.sweeping = false
		}
		s.mu.Unlock()
		closeAll(expired)
		if empty {
			return
		}
	}
}

// closeRun closes every pool run stashed (the run has finished).
func (s *poolStash) closeRun(run string) {
	s.mu.Lock()
	var done []*sqlconnect.DB
	for k, l := range s.idle {
		if k.run == run {
			for _, p := range l {
				done = append(done, p.db)
			}
			delete(s.idle, k)
		}
	}
	s.mu.Unlock()
	closeAll(done)
}

// expireLocked takes the pools stashed longer than poolIdleTTL before now
// out of the stash and returns them, for the caller to close once it has
// released the lock (closing talks to the servers).
func (s *poolStash) expireLocked(now time.Time) []*sqlconnect.DB {
	var expired []*sqlconnect.DB
	for k, l := range s.idle {
		keep := l[:0]
		for _, p := range l {
			if now.Sub(p.since) > poolIdleTTL {
				expired = append(expired, p.db)
			} else {
				keep = append(keep, p)
			}
		}
		if len(keep) == 0 {
			delete(s.idle, k)
		} else {
			s.idle[k] = keep
		}
	}
	return expired
}

// closeAll closes dbs.
func closeAll(dbs []*sqlconnect.DB) {
	for _, db := range dbs {
		db.Close()
	}
}

// openRun opens cfg for a step of run — a pool the run's previous step on
// this worker stashed when there is one — and returns it with the
// function the step calls when it is done with it: done(nil) stashes the
// pool for the run's next step, done(err) closes it.
func (a *Activities) openRun(ctx context.Context, run string, cfg sqlconnect.Config) (*sqlconnect.DB, func(error), error) {
	resolved, err := a.resolveConn(cfg)
	if err != nil {
		return nil, nil, err
	}
	key, ok := connKey(resolved)
	if ok = ok && run != ""; ok {
		if db := a.pools.take(run, key, time.Now()); db != nil {
			return db, func(err error) { a.giveBack(run, key, db, err) }, nil
		}
	}
	db, err := openResolved(ctx, resolved)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return db, func(error) { db.Close() }, nil
	}
	return db, func(err error) { a.giveBack(run, key, db, err) }, nil
}

// giveBack stashes db after a step that succeeded and closes it after one
// that failed.
func (a *Activities) giveBack(run, key string, db *sqlconnect.DB, err error) {
	if err != nil {
		db.Close()
		return
	}
	a.pools.put(run, key, db, time.Now())
}
