// Package tests3 runs a real S3-compatible server (versitygw with its posix
// backend, built from the Go module proxy by `make tools` into .bin/) on a
// loopback port with a temporary directory, for tests of the S3 connection
// and destination. A missing binary fails the test with the command that
// installs it; it never skips.
package tests3

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is a running versitygw whose root user is AccessKey/SecretKey.
type Server struct {
	// Endpoint is the server's base URL (http://127.0.0.1:PORT); clients
	// must use path-style addressing.
	Endpoint  string
	Region    string
	AccessKey string
	SecretKey string
	// Root is the directory holding the buckets (one folder each).
	Root string
	cmd  *exec.Cmd
}

// BinaryName is the executable `make tools` installs into .bin/.
const BinaryName = "versitygw"

// Binary finds versitygw: $NEOSYNC_VERSITYGW, then the repository's .bin/
// (found by walking up from the working directory), then $PATH.
func Binary() (string, error) {
	if p := os.Getenv("NEOSYNC_VERSITYGW"); p != "" {
		return p, nil
	}
	if dir, err := os.Getwd(); err == nil {
		for d := dir; ; d = filepath.Dir(d) {
			p := filepath.Join(d, ".bin", BinaryName)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return exec.LookPath(BinaryName)
}

// Start runs versitygw until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatalf("tests3: %s is missing: run `make tools` (it builds versitygw into .bin/)", BinaryName)
	}
	root := t.TempDir()
	s := &Server{Region: "us-east-1", AccessKey: "neosync" + randomHex(t, 4), SecretKey: randomHex(t, 20), Root: root}
	port := freePort(t)
	s.Endpoint = "http://127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "--port", "127.0.0.1:"+strconv.Itoa(port), "--region", s.Region, "--quiet", "posix", "--nometa", root)
	// Credentials go through the environment, not the process list.
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s.AccessKey, "ROOT_SECRET_KEY="+s.SecretKey)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("tests3: start %s: %v", bin, err)
	}
	s.cmd = cmd
	t.Cleanup(s.Stop)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			_ = c.Close()
			return s
		}
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			t.Fatalf("tests3: versitygw did not listen on %d: %v\n%s", port, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// Bucket creates an empty bucket (a folder under Root, which the posix
// backend serves as a bucket) and returns its name.
func (s *Server) Bucket(t testing.TB, name string) string {
	t.Helper()
	if !bucketName.MatchString(name) {
		t.Fatalf("tests3: %q is not a valid bucket name", name)
	}
	if err := os.Mkdir(filepath.Join(s.Root, name), 0o755); err != nil {
		t.Fatalf("tests3: create bucket %s: %v", name, err)
	}
	return name
}

// Stop ends the server (Start registers it as a cleanup).
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	_ = s.cmd.Wait()
	s.cmd = nil
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(fmt.Errorf("tests3: free port: %w", err))
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
