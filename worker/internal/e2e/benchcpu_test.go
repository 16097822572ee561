package e2e_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// The wall time of a run on a shared machine says as much about the other
// processes as about the run, so every PostgreSQL line of the benchmark
// also gives the CPU seconds each side of the run used (runCPU): the
// server processes of the source and of the destination databases, and
// the client — the worker, the API and the Temporal dev server for a job;
// bash and the two psql processes for the pipe. They are what changes
// when the code does, whatever the load.

// runCPU is the CPU seconds (user + system) one measurement used, per
// side. Zero fields were not measured.
type runCPU struct {
	Client   float64 // the worker, or the pipe's bash and psql processes
	API      float64
	Temporal float64
	Source   float64 // server processes connected to the source database
	Dest     float64 // server processes connected to the destination database(s)
}

// Total is the CPU seconds of every side.
func (c runCPU) Total() float64 { return c.Client + c.API + c.Temporal + c.Source + c.Dest }

// String prints the sides, e.g. "CPU-s worker 0.24, API 0.05, Temporal
// 0.18, source server 0.60, destination server 1.39, total 2.46"; client
// names the client side ("worker", "psql clients").
func (c runCPU) String(client string) string {
	parts := []string{fmt.Sprintf("CPU-s %s %.2f", client, c.Client)}
	if c.API > 0 || c.Temporal > 0 {
		parts = append(parts, fmt.Sprintf("API %.2f", c.API), fmt.Sprintf("Temporal %.2f", c.Temporal))
	}
	parts = append(parts, fmt.Sprintf("source server %.2f", c.Source), fmt.Sprintf("destination server %.2f", c.Dest),
		fmt.Sprintf("total %.2f", c.Total()))
	return strings.Join(parts, ", ")
}

// processCPU returns the CPU seconds process pid has used so far (Linux:
// utime and stime of /proc/<pid>/stat, in clock ticks of 1/100 s).
func processCPU(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command's closing parenthesis: utime and stime
	// are the 14th and 15th of the line, the 12th and 13th after it.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q, stime %q", pid, f[11], f[12])
	}
	return float64(u+s) / 100, nil
}

// processesCPU returns the CPU seconds of each of pids (0 for a pid that
// cannot be read).
func processesCPU(pids ...int) []float64 {
	out := make([]float64, len(pids))
	for i, p := range pids {
		out[i], _ = processCPU(p)
	}
	return out
}

// serverCPUInterval is how often serverCPU looks at the server's
// sessions: a session that ends between two looks loses the CPU it used
// since the last one.
const serverCPUInterval = 50 * time.Millisecond

// serverCPU measures, while a run goes on, the CPU seconds of the
// PostgreSQL server processes connected to some databases: the copy's
// sessions come and go with each step, so it lists them every
// serverCPUInterval (pg_stat_activity, parallel workers included) and
// keeps each one's last CPU time read from /proc. It needs the server on
// this machine; without it, it measures nothing.
type serverCPU struct {
	role   map[string]string // database name → "source" or "dest"
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	seen   map[int32]*sessionCPU
	err    error
}

// sessionCPU is one server process: its database's role and its CPU
// seconds when first and last read.
type sessionCPU struct {
	role        string
	first, last float64
	before      bool // already there when the measurement started
}

// dbName is the database a PostgreSQL URL names.
func dbName(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(p.Path, "/")
}

// startServerCPU starts measuring the server processes of the source
// database src and the destination databases dsts, through an
// administrative session on admin (a URL of the same server).
func startServerCPU(admin, src string, dsts ...string) *serverCPU {
	ctx, cancel := context.WithCancel(context.Background())
	m := &serverCPU{role: map[string]string{dbName(src): "source"}, cancel: cancel, done: make(chan struct{}), seen: map[int32]*sessionCPU{}}
	for _, d := range dsts {
		m.role[dbName(d)] = "dest"
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		m.err = err
		close(m.done)
		return m
	}
	names := make([]string, 0, len(m.role))
	for n := range m.role {
		names = append(names, n)
	}
	first := true
	look := func() {
		rows, err := conn.Query(ctx, "SELECT pid, datname FROM pg_catalog.pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_catalog.pg_backend_pid()", names)
		if err != nil {
			if ctx.Err() == nil {
				m.setErr(err)
			}
			return
		}
		type session struct {
			pid int32
			db  string
		}
		var sessions []session
		for rows.Next() {
			var s session
			if err := rows.Scan(&s.pid, &s.db); err == nil {
				sessions = append(sessions, s)
			}
		}
		rows.Close()
		m.mu.Lock()
		defer m.mu.Unlock()
		for _, s := range sessions {
			c, err := processCPU(int(s.pid))
			if err != nil {
				continue // ended meanwhile, or the server is elsewhere
			}
			if x, ok := m.seen[s.pid]; ok {
				x.last = c
				continue
			}
			m.seen[s.pid] = &sessionCPU{role: m.role[s.db], first: c, last: c, before: first}
		}
		first = false
	}
	look()
	go func() {
		defer close(m.done)
		defer conn.Close(context.Background())
		t := time.NewTicker(serverCPUInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				look()
			}
		}
	}()
	return m
}

func (m *serverCPU) setErr(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err == nil {
		m.err = err
	}
}

// stop ends the measurement and adds the source's and the destinations'
// CPU seconds to c: what each process used since it was first seen (a
// session already open at the start counts from there; one that started
// later, from its start).
func (m *serverCPU) stop(c *runCPU) error {
	m.cancel()
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.seen {
		used := s.last
		if s.before {
			used -= s.first
		}
		switch s.role {
		case "source":
			c.Source += used
		case "dest":
			c.Dest += used
		}
	}
	return m.err
}
