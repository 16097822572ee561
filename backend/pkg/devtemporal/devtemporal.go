// Package devtemporal runs the official Temporal development server (the
// Temporal CLI's `temporal server start-dev`) as a child process on free
// loopback ports, for tests and `make up`. It never downloads anything: the
// binary is installed by `make tools` (go install …/temporal@v1.5.1) into the
// repository's .bin folder, or named by NEOSYNC_TEMPORAL_BIN.
package devtemporal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
)

// Options configure a dev server.
type Options struct {
	// Binary is the temporal CLI; empty finds it with FindBinary.
	Binary string
	// DBFile persists state across restarts; empty keeps it in memory.
	DBFile string
	// Namespace to create (besides "default").
	Namespace string
	// Log receives the server's output; nil discards it.
	Log io.Writer
}

// Server is a running dev server.
type Server struct {
	HostPort string
	UIPort   int
	cmd      *exec.Cmd
	// exited is closed when the process has exited; waitErr is then
	// cmd.Wait's result. (A closed channel can be waited on by start-up
	// and by Stop alike: a server that died during start-up used to make
	// Stop wait for an exit already consumed, forever.)
	exited  chan struct{}
	waitErr error
	// tail keeps the end of the server's output, for the error when it
	// exits during start-up.
	tail *tailBuffer
}

// startAttempts is how many times Start launches the server, each time on
// new free ports, when it exits during start-up: the ports are free when
// picked but may be taken before the server binds them (another test
// process starting its own server at the same moment).
const startAttempts = 3

// FindBinary locates the temporal CLI: $NEOSYNC_TEMPORAL_BIN, then .bin/temporal
// in the nearest parent folder holding go.work, then $PATH.
func FindBinary() (string, error) {
	if p := os.Getenv("NEOSYNC_TEMPORAL_BIN"); p != "" {
		return p, nil
	}
	if dir, err := os.Getwd(); err == nil {
		for d := dir; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
				p := filepath.Join(d, ".bin", "temporal")
				if _, err := os.Stat(p); err == nil {
					return p, nil
				}
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if p, err := exec.LookPath("temporal"); err == nil {
		return p, nil
	}
	return "", errors.New("the Temporal CLI is not installed: run `make tools` (installs .bin/temporal) or set NEOSYNC_TEMPORAL_BIN")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start launches the server and waits until it answers. A server that
// exits during start-up is launched again on new ports, up to
// startAttempts times; the error then quotes the end of its output.
func Start(ctx context.Context, o Options) (*Server, error) {
	bin := o.Binary
	if bin == "" {
		var err error
		if bin, err = FindBinary(); err != nil {
			return nil, err
		}
	}
	var err error
	for range startAttempts {
		var s *Server
		s, err = start(ctx, bin, o)
		if err == nil || !errors.Is(err, errExited) || ctx.Err() != nil {
			return s, err
		}
	}
	return nil, err
}

// errExited marks a server that exited during start-up.
var errExited = errors.New("temporal dev server exited during start-up")

// start is one launch of Start.
func start(ctx context.Context, bin string, o Options) (*Server, error) {
	ports := make([]int, 4)
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	args := []string{"server", "start-dev", "--ip", "127.0.0.1",
		"--port", strconv.Itoa(ports[0]), "--ui-port", strconv.Itoa(ports[1]),
		"--http-port", strconv.Itoa(ports[2]), "--metrics-port", strconv.Itoa(ports[3]),
		"--log-level", "warn"}
	if o.DBFile != "" {
		args = append(args, "--db-filename", o.DBFile)
	}
	if o.Namespace != "" && o.Namespace != "default" {
		args = append(args, "--namespace", o.Namespace)
	}
	cmd := exec.Command(bin, args...)
	tail := &tailBuffer{}
	var out io.Writer = tail
	if o.Log != nil {
		out = io.MultiWriter(o.Log, tail)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &Server{HostPort: net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])), UIPort: ports[1], cmd: cmd, exited: make(chan struct{}), tail: tail}
	go func() { s.waitErr = cmd.Wait(); close(s.exited) }()
	if err := s.waitReady(ctx, o.Namespace); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// tailBuffer keeps the last tailBytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const tailBytes = 2048

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailBytes {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailBytes:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}

func (s *Server) waitReady(ctx context.Context, namespace string) error {
	if namespace == "" {
		namespace = "default"
	}
	deadline := time.Now().Add(90 * time.Second)
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("%w: %v: %s", errExited, s.waitErr, s.tail)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		c, err := client.Dial(client.Options{HostPort: s.HostPort, Namespace: namespace})
		if err == nil {
			cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_, err = c.CheckHealth(cctx, &client.CheckHealthRequest{})
			if err == nil {
				_, err = c.WorkflowService().DescribeNamespace(cctx, describeNamespace(namespace))
			}
			cancel()
			c.Close()
			if err == nil {
				return nil
			}
		}
		lastErr = err
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("temporal dev server did not become ready at %s: %v", s.HostPort, lastErr)
}

// Stop terminates the server (by process group) and waits for it.
func (s *Server) Stop() error {
	if s.cmd.Process == nil {
		return nil
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
	return exitErr(s.waitErr)
}

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// exitErr ignores the exit status a stop signal causes.
func exitErr(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return nil
	}
	return err
}
