// Package objectstore is the S3-compatible side of the data plane: a
// bucket connection (Config), its check (Check lists, puts and deletes a
// probe object), and the export format a sync writes there — per table,
// compressed JSON Lines and Parquet part files under
// <prefix>/<job>/<run>/<schema>.<table>/, and one manifest.json per run
// with the schema, row counts and a SHA-256 per file.
//
// It talks to AWS S3 and to any S3-compatible server through the AWS SDK
// for Go v2; Endpoint and ForcePathStyle reach servers that are not AWS.
package objectstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
)

// Config is one bucket. It is stored (encrypted) as JSON inside the
// connection's configuration, so its tags are part of the storage format.
type Config struct {
	Bucket string `json:"bucket"`
	// Prefix is prepended to every key the data plane writes ("" for the
	// bucket's root); it never starts or ends with '/'.
	Prefix string `json:"prefix,omitempty"`
	// Region defaults to us-east-1.
	Region string `json:"region,omitempty"`
	// Endpoint is the base URL of an S3-compatible server (empty for AWS).
	Endpoint string `json:"endpoint,omitempty"`
	// ForcePathStyle addresses buckets as <endpoint>/<bucket> rather than
	// <bucket>.<endpoint>, as most self-hosted servers need.
	ForcePathStyle bool `json:"force_path_style,omitempty"`
	// AccessKeyID and SecretAccessKey are static credentials; without them
	// requests are anonymous (a public bucket). The SDK's default chain is
	// never used: a tenant must not borrow the API's or a worker's role.
	AccessKeyID     string `json:"access_key_id,omitempty"`
	SecretAccessKey string `json:"secret_access_key,omitempty"`
	SessionToken    string `json:"session_token,omitempty"`
}

// ConfigError is an invalid configuration; Field names the field in the
// API's terms (e.g. "bucket", "endpoint").
type ConfigError struct{ Field, Reason string }

// Error names the field and the problem.
func (e *ConfigError) Error() string { return e.Field + ": " + e.Reason }

// bucketPattern is S3's bucket naming rule (lower case, digits, '.', '-').
var bucketPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

var regionPattern = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)

// Validate checks the configuration without connecting.
func (c Config) Validate() error {
	switch {
	case !bucketPattern.MatchString(c.Bucket):
		return &ConfigError{"bucket", fmt.Sprintf("%q is not a bucket name (3–63 lower-case letters, digits, '.' and '-')", c.Bucket)}
	case strings.HasPrefix(c.Prefix, "/") || strings.HasSuffix(c.Prefix, "/"):
		return &ConfigError{"path_prefix", "must not start or end with '/'"}
	case strings.Contains(c.Prefix, "//") || strings.ContainsAny(c.Prefix, "\x00\r\n"):
		return &ConfigError{"path_prefix", "must not contain '//' or control characters"}
	case c.Region != "" && !regionPattern.MatchString(c.Region):
		return &ConfigError{"region", fmt.Sprintf("%q is not a region name (like us-east-1)", c.Region)}
	case (c.AccessKeyID == "") != (c.SecretAccessKey == ""):
		return &ConfigError{"credentials", "access_key_id and secret_access_key must be given together"}
	case c.SessionToken != "" && c.AccessKeyID == "":
		return &ConfigError{"credentials.session_token", "needs access_key_id and secret_access_key"}
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &ConfigError{"endpoint", "must be an http:// or https:// URL such as https://s3.example.com"}
		}
		if u.User != nil {
			return &ConfigError{"endpoint", "must not carry credentials; use credentials.access_key_id and secret_access_key"}
		}
	}
	return nil
}

func (c Config) region() string {
	if c.Region == "" {
		return "us-east-1"
	}
	return c.Region
}

// Key joins the prefix and parts into an object key.
func (c Config) Key(parts ...string) string {
	if c.Prefix != "" {
		parts = append([]string{c.Prefix}, parts...)
	}
	return strings.Join(parts, "/")
}

// Client builds an S3 client for the bucket whose every connection dials
// through the network policy np (nil allows every address), so an endpoint
// cannot reach what the connection policy denies.
func (c Config) Client(ctx context.Context, np *netpolicy.Policy) (*s3.Client, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var creds aws.CredentialsProvider = aws.AnonymousCredentials{}
	if c.AccessKeyID != "" {
		creds = credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = (&netpolicy.Dialer{Policy: np}).DialContext
	transport.Proxy = nil
	awsCfg := aws.Config{Region: c.region(), Credentials: creds, HTTPClient: &http.Client{Transport: transport}}
	return s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
		o.UsePathStyle = c.ForcePathStyle
		// S3-compatible servers differ in checksum support; ask for
		// checksums only where an operation requires one.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}), nil
}

// Secrets lists the secret values, for scrubbing messages.
func (c Config) Secrets() []string {
	var out []string
	for _, s := range []string{c.SecretAccessKey, c.SessionToken} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ErrNoBucket is a bucket the server does not have.
var ErrNoBucket = errors.New("the bucket does not exist")
