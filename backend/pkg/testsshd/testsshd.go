// Package testsshd runs a real OpenSSH server (Debian's openssh-server,
// /usr/sbin/sshd) on a loopback port for tests of SSH tunnels, with a host
// key and a client key made for the test. A missing sshd fails the test
// with the package to install; it never skips.
package testsshd

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// Server is a running sshd that accepts User with ClientKey.
type Server struct {
	Host string
	Port int
	User string
	// ClientKey is the PEM (OpenSSH) private key sshd accepts.
	ClientKey string
	// HostKey is sshd's public host key in authorized_keys form.
	HostKey string
	cmd     *exec.Cmd
}

// Binary is where Debian installs sshd.
const Binary = "/usr/sbin/sshd"

// Start runs sshd until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := os.Stat(Binary); err != nil {
		t.Fatalf("testsshd: %s is missing: install Debian's openssh-server (.ci/run does)", Binary)
	}
	dir := t.TempDir()
	hostPub, hostPEM := newKey(t)
	clientPub, clientPEM := newKey(t)
	write(t, filepath.Join(dir, "host_key"), hostPEM, 0o600)
	write(t, filepath.Join(dir, "authorized_keys"), clientPub, 0o600)
	// sshd refuses to start without its privilege separation directory.
	_ = os.MkdirAll("/run/sshd", 0o755)
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cfg := strings.Join([]string{
		"ListenAddress 127.0.0.1:" + strconv.Itoa(port),
		"HostKey " + filepath.Join(dir, "host_key"),
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"PidFile none", "StrictModes no", "UsePAM no", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
		"PermitRootLogin prohibit-password", "AllowTcpForwarding yes", "PermitOpen any", "LogLevel ERROR",
	}, "\n") + "\n"
	write(t, filepath.Join(dir, "sshd_config"), cfg, 0o600)
	cmd := exec.Command(Binary, "-D", "-e", "-f", filepath.Join(dir, "sshd_config"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("testsshd: start sshd: %v", err)
	}
	s := &Server{Host: "127.0.0.1", Port: port, User: u.Username, ClientKey: clientPEM, HostKey: hostPub, cmd: cmd}
	t.Cleanup(s.Stop)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
		if err == nil {
			_ = c.Close()
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("testsshd: sshd did not listen on %s: %v\n%s", s.Addr(), err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Stop kills sshd and its session processes (idempotent).
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	_ = s.cmd.Wait()
	s.cmd = nil
}

// NewKey returns a fresh Ed25519 key pair: the public key in
// authorized_keys form and the private key as OpenSSH PEM.
func NewKey(t testing.TB) (public, private string) { return newKey(t) }

func newKey(t testing.TB) (string, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	return string(ssh.MarshalAuthorizedKey(sp)), string(pem.EncodeToMemory(block))
}

func write(t testing.TB, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// String describes the server for logs.
func (s *Server) String() string { return fmt.Sprintf("sshd %s@%s", s.User, s.Addr()) }
