package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/neosyncio/neosync/backend/pkg/generate"
	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// A run's plan never travels through Temporal: StartRun builds it, keeps it
// in this process's cache and hands the workflow only its digest and the
// table list the workflow schedules by. Every later activity finds the plan
// in the cache of the worker that runs it, or — on another worker, or after
// a restart — rebuilds it from the job and the source schema and checks the
// digest, so every step of a run works from the same plan and a job or
// schema edited mid-run fails the run with a clear reason instead of
// copying with a different plan. History therefore grows with the number of
// tables by a small constant (a table name in an activity's input and a
// checkpoint in its result), not with the size of the plan.

// runCacheTTL is how long an unused run's plan and job stay in memory.
const runCacheTTL = 10 * time.Minute

// runCacheMax bounds the runs cached at once (least recently used go first).
const runCacheMax = 64

// cachedRun is one run's loaded job and plan.
type cachedRun struct {
	digest string
	job    *loaded
	plan   *syncplan.Plan
	// gen and genJob are a generate run's plan and job (plan and job are
	// nil then).
	gen    *generate.Plan
	genJob *generateJob
	used   time.Time
	// leaks are the copy's leak sketches (sqlsync.Checkpoint.Leaks) of the
	// tables this worker copied, per destination, for Verify: guarded by
	// runCache.mu. A table copied elsewhere has none here, and Verify
	// fetches its sketches from the API (see sketches.go). reid are
	// the same copies' row-level re-identification counts
	// (Checkpoint.Reidentified), when the table had any.
	leaks map[int]map[sqlschema.TableName]map[string]leakscan.Result
	reid  map[int]map[sqlschema.TableName]leakscan.RowCount
	// read are, per destination, the rows of the tables this worker copied
	// whole in one attempt (sqlsync.Checkpoint.WholeRead): the source's
	// count in the copy's snapshot, which Verify uses instead of counting
	// the source again (sqlsync.VerifyOptions.SourceRead). Guarded by
	// runCache.mu.
	read map[int]map[sqlschema.TableName]int64
}

// runCache holds the plans of the runs this worker takes part in.
type runCache struct {
	mu   sync.Mutex
	runs map[string]*cachedRun
	// build serialises rebuilds per run so concurrent table activities of
	// one run on a fresh worker read the source schema once.
	build map[string]*sync.Mutex
}

func (c *runCache) get(runID, digest string) *cachedRun {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.runs[runID]
	if r == nil || r.digest != digest {
		return nil
	}
	r.used = time.Now()
	return r
}

func (c *runCache) put(runID string, r *cachedRun) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.runs == nil {
		c.runs = map[string]*cachedRun{}
	}
	r.used = time.Now()
	c.runs[runID] = r
	now := time.Now()
	for id, e := range c.runs {
		if now.Sub(e.used) > runCacheTTL {
			delete(c.runs, id)
			delete(c.build, id)
		}
	}
	for len(c.runs) > runCacheMax {
		oldest := ""
		for id, e := range c.runs {
			if oldest == "" || e.used.Before(c.runs[oldest].used) {
				oldest = id
			}
		}
		delete(c.runs, oldest)
		delete(c.build, oldest)
	}
}

// setLeaks records (or, for nil leaks, forgets) what the copy of table
// into destination d measured: its sketches and its re-identification
// count (nil when the table has none); a run no longer cached keeps
// nothing.
func (c *runCache) setLeaks(runID string, d int, table sqlschema.TableName, leaks map[string]leakscan.Result, reid *leakscan.RowCount) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.runs[runID]
	if r == nil {
		return
	}
	if r.leaks == nil {
		r.leaks = map[int]map[sqlschema.TableName]map[string]leakscan.Result{}
		r.reid = map[int]map[sqlschema.TableName]leakscan.RowCount{}
	}
	if r.leaks[d] == nil {
		r.leaks[d] = map[sqlschema.TableName]map[string]leakscan.Result{}
		r.reid[d] = map[sqlschema.TableName]leakscan.RowCount{}
	}
	delete(r.reid[d], table)
	if leaks == nil {
		delete(r.leaks[d], table)
		return
	}
	r.leaks[d][table] = leaks
	if reid != nil {
		r.reid[d][table] = *reid
	}
}

// setRead records (or, when cp was not read whole in one attempt,
// forgets) the source rows the copy of table into destination d read; a
// run no longer cached keeps nothing.
func (c *runCache) setRead(runID string, d int, table sqlschema.TableName, cp sqlsync.Checkpoint) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.runs[runID]
	if r == nil {
		return
	}
	if r.read == nil {
		r.read = map[int]map[sqlschema.TableName]int64{}
	}
	if r.read[d] == nil {
		r.read[d] = map[sqlschema.TableName]int64{}
	}
	if !cp.WholeRead || cp.Range != nil {
		delete(r.read[d], table)
		return
	}
	r.read[d][table] = cp.Rows
}

// readOf returns the source rows recorded by setRead for destination d.
func (c *runCache) readOf(runID string, d int) map[sqlschema.TableName]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.runs[runID]; r != nil {
		return maps.Clone(r.read[d])
	}
	return nil
}

// leaksOf returns the leak scans and re-identification counts recorded
// for destination d by the copies of whole tables on this worker (nil
// when none). Tables copied in key ranges are merged from the API (see
// sketches.go).
func (c *runCache) leaksOf(runID string, d int) (leaks map[sqlschema.TableName]map[string]leakscan.Result, reid map[sqlschema.TableName]leakscan.RowCount) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.runs[runID]
	if r == nil {
		return nil, nil
	}
	return maps.Clone(r.leaks[d]), maps.Clone(r.reid[d])
}

func (c *runCache) drop(runID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.runs, runID)
	delete(c.build, runID)
}

func (c *runCache) builder(runID string) *sync.Mutex {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.build == nil {
		c.build = map[string]*sync.Mutex{}
	}
	m := c.build[runID]
	if m == nil {
		m = &sync.Mutex{}
		c.build[runID] = m
	}
	return m
}

// PlanDigest identifies a plan: the SHA-256 of its JSON form (maps encode
// with sorted keys, so equal plans have equal digests).
func PlanDigest(p *syncplan.Plan) (string, error) { return digestOf(p) }

// digestOf is the digest of a plan (sync or generate): the first 16 bytes
// of the SHA-256 of its JSON, in hex.
func digestOf(p any) (string, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("plan digest: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]), nil
}

// ErrTypePlanChanged marks a run whose job or source schema changed after
// it started: its plan can no longer be rebuilt identically.
const ErrTypePlanChanged = "PlanChangedError"

// runPlan returns the job and plan of a run step: from the cache, or
// rebuilt from the API and the source and checked against the digest the
// run started with.
func (a *Activities) runPlan(ctx context.Context, in StepInput) (*loaded, *syncplan.Plan, error) {
	if r := a.runs.get(in.JobRunID, in.PlanDigest); r != nil {
		return r.job, r.plan, nil
	}
	m := a.runs.builder(in.JobRunID)
	m.Lock()
	defer m.Unlock()
	if r := a.runs.get(in.JobRunID, in.PlanDigest); r != nil {
		return r.job, r.plan, nil
	}
	l, plan, digest, err := a.buildPlan(ctx, in.JobRunID, in.JobID)
	if err != nil {
		return nil, nil, err
	}
	if in.PlanDigest != "" && digest != in.PlanDigest {
		return nil, nil, temporal.NewNonRetryableApplicationError(
			"the job's mappings or the source schema changed while the run was in progress (its plan no longer matches the one the run started with); start a new run",
			ErrTypePlanChanged, nil)
	}
	a.runs.put(in.JobRunID, &cachedRun{digest: digest, job: l, plan: plan})
	return l, plan, nil
}

// buildPlan loads a job and plans it against its source, for a step of
// run runID.
func (a *Activities) buildPlan(ctx context.Context, runID, jobID string) (*loaded, *syncplan.Plan, string, error) {
	l, err := a.load(ctx, jobID)
	if err != nil {
		return nil, nil, "", err
	}
	src, done, err := a.openRun(ctx, runID, l.sync.Source)
	if err != nil {
		return nil, nil, "", fmt.Errorf("source: %w", err)
	}
	plan, err := syncplan.BuildPlan(ctx, src, l.sync, a.Registry)
	done(err)
	if err != nil {
		return nil, nil, "", dataError(err)
	}
	digest, err := PlanDigest(plan)
	if err != nil {
		return nil, nil, "", err
	}
	return l, plan, digest, nil
}
