package objectstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
)

// ProbeKey is the object Check writes and deletes (under the prefix).
const ProbeKey = ".neosync-check"

// Check proves the bucket is usable as a destination: it lists the prefix,
// writes a small probe object and deletes it. The error says which step
// failed and why, in the server's words, with the secrets scrubbed.
func Check(ctx context.Context, c Config, np *netpolicy.Policy) error {
	client, err := c.Client(ctx, np)
	if err != nil {
		return err
	}
	prefix := ""
	if c.Prefix != "" {
		prefix = c.Prefix + "/"
	}
	if _, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(c.Bucket), Prefix: aws.String(prefix), MaxKeys: aws.Int32(1)}); err != nil {
		return c.stepError("list objects in", err)
	}
	key := c.Key(ProbeKey)
	body := []byte("neosync connection check " + time.Now().UTC().Format(time.RFC3339) + "\n")
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(c.Bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
		return c.stepError("write a probe object to", err)
	}
	if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(c.Bucket), Key: aws.String(key)}); err != nil {
		return c.stepError("delete the probe object from", err)
	}
	return nil
}

// stepError explains a failed request: the step, the bucket, and the
// server's error code and message.
func (c Config) stepError(step string, err error) error {
	var api smithy.APIError
	var dial *netpolicy.DialError
	msg := err.Error()
	if errors.As(err, &dial) {
		msg = dial.Error()
	} else if errors.As(err, &api) {
		msg = api.ErrorCode() + ": " + api.ErrorMessage()
		if api.ErrorCode() == "NoSuchBucket" {
			return fmt.Errorf("cannot %s bucket %q: %w (create it first)", step, c.Bucket, ErrNoBucket)
		}
	}
	for _, s := range c.Secrets() {
		msg = strings.ReplaceAll(msg, s, "********")
	}
	return fmt.Errorf("cannot %s bucket %q: %s", step, c.Bucket, msg)
}
