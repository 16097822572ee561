// Package temporalconn dials Temporal the same way for the API and the
// worker: host:port and namespace from configuration, and mTLS when a client
// certificate and key are given (each either a file path or PEM text, so
// they can come from a mounted secret or an environment variable).
package temporalconn

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	tlog "go.temporal.io/sdk/log"
)

// Config locates a Temporal frontend.
type Config struct {
	HostPort  string
	Namespace string
	// Cert and Key are PEM text or paths to PEM files; both or neither.
	Cert, Key string
	// ServerName overrides the TLS server name (defaults to the host).
	ServerName string
	Logger     *slog.Logger
	// MetricsHandler receives the SDK's metrics (nil: none).
	MetricsHandler client.MetricsHandler
	// Interceptors wrap the client's calls; one that is also a worker
	// interceptor (tracing) applies to the workers made from the client.
	Interceptors []interceptor.ClientInterceptor
}

// Options builds SDK client options from c.
func (c Config) Options() (client.Options, error) {
	opts := client.Options{HostPort: c.HostPort, Namespace: c.Namespace, MetricsHandler: c.MetricsHandler, Interceptors: c.Interceptors}
	if c.Logger != nil {
		opts.Logger = tlog.NewStructuredLogger(c.Logger)
	}
	if (c.Cert == "") != (c.Key == "") {
		return opts, fmt.Errorf("TEMPORAL_CERT and TEMPORAL_KEY must be set together")
	}
	if c.Cert != "" {
		certPEM, err := pemOrFile("TEMPORAL_CERT", c.Cert)
		if err != nil {
			return opts, err
		}
		keyPEM, err := pemOrFile("TEMPORAL_KEY", c.Key)
		if err != nil {
			return opts, err
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return opts, fmt.Errorf("TEMPORAL_CERT/TEMPORAL_KEY do not form a valid certificate and key: %w", err)
		}
		opts.ConnectionOptions.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, ServerName: c.ServerName, MinVersion: tls.VersionTLS12}
	}
	return opts, nil
}

// NewLazyClient returns a client that connects on first use, so a binary can
// start (and report a clear error per call) while Temporal is down.
func NewLazyClient(c Config) (client.Client, error) {
	opts, err := c.Options()
	if err != nil {
		return nil, err
	}
	return client.NewLazyClient(opts)
}

// Dial connects now and fails if Temporal is unreachable.
func Dial(c Config) (client.Client, error) {
	opts, err := c.Options()
	if err != nil {
		return nil, err
	}
	cl, err := client.Dial(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (namespace %s): %w", c.HostPort, c.Namespace, err)
	}
	return cl, nil
}

func pemOrFile(name, v string) ([]byte, error) {
	if strings.Contains(v, "-----BEGIN") {
		return []byte(v), nil
	}
	b, err := os.ReadFile(v)
	if err != nil {
		return nil, fmt.Errorf("%s: read %s: %w", name, v, err)
	}
	return b, nil
}
