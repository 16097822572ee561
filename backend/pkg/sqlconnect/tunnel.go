package sqlconnect

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
)

// SSHTunnel reaches the database through an SSH server (a bastion): every
// connection of the pool is a direct-tcpip channel of one SSH session to
// it, so the database's host and port are resolved and dialed by the
// bastion. The network policy applies to the bastion's address; the
// protection of the API's own database applies to the session at the end
// of the tunnel as to any other.
type SSHTunnel struct {
	Host string `json:"host"`
	// Port is the SSH port; 0 means 22.
	Port int    `json:"port,omitempty"`
	User string `json:"user"`
	// PrivateKey is a PEM private key (OpenSSH, PKCS#1/#8 or EC), secret.
	PrivateKey string `json:"private_key,omitempty"`
	// Passphrase decrypts PrivateKey when it is encrypted; secret.
	Passphrase string `json:"passphrase,omitempty"`
	// Password authenticates when no key is given; secret.
	Password string `json:"password,omitempty"`
	// KnownHostKey is the bastion's public host key in authorized_keys
	// form ("ssh-ed25519 AAAA…"), as ssh-keyscan prints it. Required unless
	// InsecureSkipHostKeyCheck.
	KnownHostKey string `json:"known_host_key,omitempty"`
	// InsecureSkipHostKeyCheck accepts any host key: anyone on the path
	// to the bastion can then read the credentials and the data. Only
	// an explicit choice sets it.
	InsecureSkipHostKeyCheck bool `json:"insecure_skip_host_key_check,omitempty"`
}

func (t *SSHTunnel) addr() string {
	port := t.Port
	if port == 0 {
		port = 22
	}
	return net.JoinHostPort(t.Host, strconv.Itoa(port))
}

// validate checks the tunnel without connecting.
func (t *SSHTunnel) validate() error {
	switch {
	case strings.TrimSpace(t.Host) == "":
		return &ConfigError{Field: "tunnel.host", Reason: "is required"}
	case t.Port < 0 || t.Port > 65535:
		return &ConfigError{Field: "tunnel.port", Reason: "must be between 1 and 65535"}
	case t.User == "":
		return &ConfigError{Field: "tunnel.user", Reason: "is required"}
	case t.PrivateKey == "" && t.Password == "":
		return &ConfigError{Field: "tunnel", Reason: "needs a private_key or a password"}
	case t.PrivateKey != "" && t.Password != "":
		return &ConfigError{Field: "tunnel", Reason: "give a private_key or a password, not both"}
	case t.KnownHostKey == "" && !t.InsecureSkipHostKeyCheck:
		return &ConfigError{Field: "tunnel.known_host_key", Reason: "is required (the bastion's public host key, e.g. from ssh-keyscan); skipping the check must be chosen explicitly"}
	case t.KnownHostKey != "" && t.InsecureSkipHostKeyCheck:
		return &ConfigError{Field: "tunnel.known_host_key", Reason: "cannot be combined with insecure_skip_host_key_check"}
	}
	if t.KnownHostKey != "" {
		if _, err := t.hostKey(); err != nil {
			return err
		}
	}
	if t.PrivateKey != "" && t.PrivateKey != Mask {
		if _, err := t.signer(); err != nil {
			return err
		}
	}
	return nil
}

func (t *SSHTunnel) hostKey() (ssh.PublicKey, error) {
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(t.KnownHostKey))
	if err != nil {
		return nil, &ConfigError{Field: "tunnel.known_host_key", Reason: "is not a public key in authorized_keys form (\"ssh-ed25519 AAAA…\")"}
	}
	return k, nil
}

func (t *SSHTunnel) signer() (ssh.Signer, error) {
	var (
		s   ssh.Signer
		err error
	)
	if t.Passphrase != "" {
		s, err = ssh.ParsePrivateKeyWithPassphrase([]byte(t.PrivateKey), []byte(t.Passphrase))
	} else {
		s, err = ssh.ParsePrivateKey([]byte(t.PrivateKey))
	}
	var missing *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		return nil, &ConfigError{Field: "tunnel.passphrase", Reason: "is required: the private key is encrypted"}
	case errors.Is(err, x509.IncorrectPasswordError):
		return nil, &ConfigError{Field: "tunnel.passphrase", Reason: "does not decrypt the private key"}
	case err != nil:
		return nil, &ConfigError{Field: "tunnel.private_key", Reason: "is not a PEM private key (OpenSSH, PKCS#1, PKCS#8 or EC)"}
	}
	return s, nil
}

func (t *SSHTunnel) clientConfig() (*ssh.ClientConfig, error) {
	cfg := &ssh.ClientConfig{User: t.User, Timeout: 10 * time.Second}
	if t.PrivateKey != "" {
		s, err := t.signer()
		if err != nil {
			return nil, err
		}
		cfg.Auth = []ssh.AuthMethod{ssh.PublicKeys(s)}
	} else {
		cfg.Auth = []ssh.AuthMethod{ssh.Password(t.Password)}
	}
	if t.InsecureSkipHostKeyCheck {
		cfg.HostKeyCallback = ssh.InsecureIgnoreHostKey() //nolint:gosec // the user chose it explicitly; documented
		return cfg, nil
	}
	want, err := t.hostKey()
	if err != nil {
		return nil, err
	}
	cfg.HostKeyAlgorithms = []string{want.Type()}
	if want.Type() == ssh.KeyAlgoRSA {
		cfg.HostKeyAlgorithms = []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	cfg.HostKeyCallback = func(_ string, _ net.Addr, got ssh.PublicKey) error {
		if string(got.Marshal()) != string(want.Marshal()) {
			return &HostKeyError{Addr: t.addr(), Got: fingerprint(got), Want: fingerprint(want)}
		}
		return nil
	}
	return cfg, nil
}

// HostKeyError is a bastion whose host key is not the known one: the
// connection is refused before any credential is sent.
type HostKeyError struct {
	Addr      string
	Got, Want string
}

// Error names both fingerprints, so the user can tell a rotated key from
// an attack.
func (e *HostKeyError) Error() string {
	return fmt.Sprintf("ssh tunnel: the host key of %s is %s, not the known host key %s (refused before sending credentials; if the bastion's key was rotated, update known_host_key)", e.Addr, e.Got, e.Want)
}

func fingerprint(k ssh.PublicKey) string {
	sum := sha256.Sum256(k.Marshal())
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// tunnel is one pool's SSH session, opened on first use and re-opened
// after it breaks.
type tunnel struct {
	cfg    *SSHTunnel
	dialer *netpolicy.Dialer

	mu     sync.Mutex
	client *ssh.Client
}

// session returns the open SSH client, connecting when there is none.
func (t *tunnel) session(ctx context.Context) (*ssh.Client, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.client != nil {
		return t.client, nil
	}
	cc, err := t.cfg.clientConfig()
	if err != nil {
		return nil, err
	}
	addr := t.cfg.addr()
	conn, err := t.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, &TunnelError{Message: "ssh tunnel: cannot reach the bastion: " + err.Error(), Err: err}
	}
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	} else {
		_ = conn.SetDeadline(time.Now().Add(cc.Timeout))
	}
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, cc)
	if err != nil {
		_ = conn.Close()
		return nil, tunnelError(addr, err)
	}
	_ = conn.SetDeadline(time.Time{})
	t.client = ssh.NewClient(c, chans, reqs)
	client := t.client
	go func() {
		_ = client.Wait()
		t.mu.Lock()
		if t.client == client {
			t.client = nil
		}
		t.mu.Unlock()
	}()
	return t.client, nil
}

// DialContext opens a channel to addr through the bastion; a session that
// broke is re-opened once.
func (t *tunnel) DialContext(ctx context.Context, _, addr string) (net.Conn, error) {
	for attempt := 0; ; attempt++ {
		c, err := t.session(ctx)
		if err != nil {
			return nil, err
		}
		conn, err := c.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn, nil
		}
		var open *ssh.OpenChannelError
		if errors.As(err, &open) || attempt > 0 || ctx.Err() != nil {
			return nil, &TunnelError{Message: fmt.Sprintf("ssh tunnel: the bastion %s could not reach %s: %v", t.cfg.addr(), addr, err), Err: err}
		}
		t.reset(c)
	}
}

func (t *tunnel) reset(c *ssh.Client) {
	t.mu.Lock()
	if t.client == c {
		t.client = nil
	}
	t.mu.Unlock()
	_ = c.Close()
}

// Close ends the SSH session.
func (t *tunnel) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.client == nil {
		return nil
	}
	err := t.client.Close()
	t.client = nil
	return err
}

// TunnelError is a failure of the SSH tunnel itself (not of the database
// behind it); Message is safe to show.
type TunnelError struct {
	Message string
	Auth    bool
	Err     error
}

// Error describes the problem for people.
func (e *TunnelError) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *TunnelError) Unwrap() error { return e.Err }

func tunnelError(addr string, err error) error {
	var hk *HostKeyError
	if errors.As(err, &hk) {
		return hk
	}
	msg := err.Error()
	if strings.Contains(msg, "unable to authenticate") {
		return &TunnelError{Message: "ssh tunnel: " + addr + " refused the credentials (check tunnel.user and the key or password)", Auth: true, Err: err}
	}
	return &TunnelError{Message: "ssh tunnel: cannot open a session with " + addr + ": " + msg, Err: err}
}
