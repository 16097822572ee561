package sqlconnect

import (
	"errors"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/objectstore"
)

// ErrNotDatabase is an S3 connection handed to code that needs a database
// (Open, introspection, a sync source).
var ErrNotDatabase = errors.New("an S3 connection is a bucket, not a database: it can only be a sync destination")

// validateS3 checks an S3 connection: a bucket and none of the database
// fields.
func (c Config) validateS3() error {
	if c.S3 == nil {
		return &ConfigError{Field: "aws_s3_config", Reason: "is required for an S3 connection"}
	}
	if c.URL != "" || c.URLFromEnv != "" || c.Host != "" || c.Tunnel != nil || c.TLS != nil || c.Pool != (PoolOptions{}) {
		return &ConfigError{Field: "aws_s3_config", Reason: "an S3 connection takes no URL, host, tunnel, TLS or pool options"}
	}
	if err := c.S3.Validate(); err != nil {
		var ce *objectstore.ConfigError
		if errors.As(err, &ce) {
			return &ConfigError{Field: "aws_s3_config." + ce.Field, Reason: ce.Reason, Err: err}
		}
		return &ConfigError{Field: "aws_s3_config", Reason: err.Error(), Err: err}
	}
	return nil
}

// maskS3 masks the bucket's secret key and session token.
func maskS3(s *objectstore.Config) *objectstore.Config {
	if s == nil {
		return nil
	}
	out := *s
	for _, v := range []*string{&out.SecretAccessKey, &out.SessionToken} {
		if *v != "" {
			*v = Mask
		}
	}
	return &out
}

// restoreS3 puts the stored secrets back where now sends the mask.
func restoreS3(now, stored *objectstore.Config) *objectstore.Config {
	if now == nil {
		return nil
	}
	out := *now
	var was objectstore.Config
	if stored != nil {
		was = *stored
	}
	for _, p := range []struct{ now, was *string }{{&out.SecretAccessKey, &was.SecretAccessKey}, {&out.SessionToken, &was.SessionToken}} {
		if *p.now == Mask {
			*p.now = *p.was
		}
	}
	return &out
}

// s3SecretsStay refuses masked S3 secrets once the connection points at
// another endpoint, bucket or access key, so a stored secret cannot be
// sent to a server of the client's choosing.
func (c Config) s3SecretsStay(stored Config) error {
	s := c.S3
	if s == nil || (s.SecretAccessKey != Mask && s.SessionToken != Mask) {
		return nil
	}
	changed := ""
	switch was := stored.S3; {
	case was == nil:
		changed = "connection kind"
	case s.Endpoint != was.Endpoint:
		changed = "endpoint"
	case s.Bucket != was.Bucket:
		changed = "bucket"
	case s.AccessKeyID != was.AccessKeyID:
		changed = "access key id"
	}
	if changed != "" {
		return &ConfigError{Field: "aws_s3_config.credentials", Reason: fmt.Sprintf("a secret is masked (%s) but the %s changed: send the secret access key again", Mask, changed)}
	}
	return nil
}
