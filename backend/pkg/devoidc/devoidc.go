// Package devoidc runs a real OpenID Provider as a child process on a free
// loopback port, for tests and local trials of NEOSYNC_AUTH_MODE=oidc.
//
// The provider is the example OP of github.com/zitadel/oidc (a maintained,
// certified OpenID Connect library), installed by `make oidc-op` with
// `go install github.com/zitadel/oidc/v3/example/server@v3.52.0` into
// .bin/oidc-op/server. Dex was tried first and cannot be built from the Go
// module proxy here: its module path has no /v2 suffix, so the proxy serves
// only v2.13.0+incompatible (2018) and refuses later tags and commits ("This
// module version is not available"), and v2.13.0 no longer compiles against
// the current etcd and gRPC modules. See the README's OIDC section.
//
// The OP has a password login page, the authorization code flow with PKCE,
// refresh tokens and device authorization. Its clients are fixed by the
// example: "native" (public, PKCE), "web" and "api" (confidential, secret
// "secret"), all with the redirect URIs given at start. It signs with a key
// made at start, so Restart rotates the signing key.
package devoidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Client ids and the confidential clients' secret, as the example OP
// registers them.
const (
	NativeClientID = "native"
	WebClientID    = "web"
	APIClientID    = "api"
	ClientSecret   = "secret"
)

// User is one account on the provider's login page.
type User struct {
	// ID is the token's subject.
	ID       string
	Username string
	Password string
	Name     string
	Email    string
}

// Options configure a provider.
type Options struct {
	// Binary is the OP; empty finds it with FindBinary.
	Binary string
	// Port to listen on; zero picks a free one.
	Port int
	// RedirectURIs are registered for every client.
	RedirectURIs []string
	// Users may sign in with their username and password; empty keeps the
	// example's own users (test-user@localhost and test-user2, password
	// "verysecure").
	Users []User
	// Log receives the provider's output; nil discards it.
	Log io.Writer
}

// Server is a running provider.
type Server struct {
	// Issuer is the provider's issuer URL (http://localhost:PORT/).
	Issuer string
	Port   int
	opts   Options
	dir    string
	cmd    *exec.Cmd
	done   chan error
}

// FindBinary locates the OP: $NEOSYNC_OIDC_OP_BIN, then .bin/oidc-op/server
// in the nearest parent folder holding go.work.
func FindBinary() (string, error) {
	if p := os.Getenv("NEOSYNC_OIDC_OP_BIN"); p != "" {
		return p, nil
	}
	if dir, err := os.Getwd(); err == nil {
		for d := dir; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
				p := filepath.Join(d, ".bin", "oidc-op", "server")
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
	return "", errors.New("the OpenID Provider is not installed: run `make oidc-op` (installs .bin/oidc-op/server) or set NEOSYNC_OIDC_OP_BIN")
}

// Start launches the provider and waits until its discovery document answers.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.Binary == "" {
		bin, err := FindBinary()
		if err != nil {
			return nil, err
		}
		o.Binary = bin
	}
	if o.Port == 0 {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		o.Port = p
	}
	dir, err := os.MkdirTemp("", "devoidc-")
	if err != nil {
		return nil, err
	}
	s := &Server{Issuer: fmt.Sprintf("http://localhost:%d/", o.Port), Port: o.Port, opts: o, dir: dir}
	if err := s.start(ctx); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context) error {
	env := append(os.Environ(), "PORT="+strconv.Itoa(s.Port), "REDIRECT_URI="+strings.Join(s.opts.RedirectURIs, ","))
	if len(s.opts.Users) > 0 {
		path := filepath.Join(s.dir, "users.json")
		if err := writeUsers(path, s.opts.Users); err != nil {
			return err
		}
		env = append(env, "USERS_FILE="+path)
	}
	cmd := exec.Command(s.opts.Binary)
	cmd.Env = env
	out := s.opts.Log
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.opts.Binary, err)
	}
	s.cmd, s.done = cmd, make(chan error, 1)
	go func() { s.done <- cmd.Wait() }()
	if err := s.waitReady(ctx); err != nil {
		_ = s.stop()
		return err
	}
	return nil
}

// writeUsers writes the example OP's users file (a JSON object by user id).
func writeUsers(path string, users []User) error {
	type opUser struct {
		ID, Username, Password, FirstName, LastName, Email string
		EmailVerified                                      bool
		PreferredLanguage                                  string
	}
	m := make(map[string]opUser, len(users))
	for _, u := range users {
		first, last, _ := strings.Cut(u.Name, " ")
		m[u.ID] = opUser{ID: u.ID, Username: u.Username, Password: u.Password, FirstName: first, LastName: last,
			Email: u.Email, EmailVerified: u.Email != "", PreferredLanguage: "en"}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

func (s *Server) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	url := s.Issuer + ".well-known/openid-configuration"
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			return fmt.Errorf("OpenID Provider exited during start-up: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("discovery answered %s", resp.Status)
		}
		lastErr = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("OpenID Provider did not become ready at %s: %v", s.Issuer, lastErr)
}

// Restart stops the provider and starts it again on the same port. The new
// process signs with a new key, so this is how tests rotate the signing key;
// its sessions and refresh tokens are gone.
func (s *Server) Restart(ctx context.Context) error {
	if err := s.stop(); err != nil {
		return err
	}
	return s.start(ctx)
}

// Stop terminates the provider (by process group) and removes its files.
func (s *Server) Stop() error {
	err := s.stop()
	_ = os.RemoveAll(s.dir)
	return err
}

func (s *Server) stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case err := <-s.done:
		return exitErr(err)
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		return exitErr(<-s.done)
	}
}

func exitErr(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return nil
	}
	return err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
