package objectstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/tests3"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	srv := tests3.Start(t)
	bucket := srv.Bucket(t, "check")
	good := objectstore.Config{Bucket: bucket, Prefix: "exports/team-a", Endpoint: srv.Endpoint, Region: srv.Region, ForcePathStyle: true, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
	wrongSecret := good
	wrongSecret.SecretAccessKey = "not-the-secret-" + srv.SecretKey[:4]
	missing := good
	missing.Bucket = "no-such-bucket"
	denyLoopback, err := netpolicy.Parse("", "loopback")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		cfg     objectstore.Config
		policy  *netpolicy.Policy
		wantErr string
	}{
		{"ok", good, nil, ""},
		{"wrong secret", wrongSecret, nil, `cannot list objects in bucket "check"`},
		{"missing bucket", missing, nil, "create it first"},
		{"endpoint denied by the network policy", good, denyLoopback, "not allowed by the API's connection policy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := objectstore.Check(context.Background(), tc.cfg, tc.policy)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				// The probe is gone again.
				if _, err := os.Stat(filepath.Join(srv.Root, bucket, "exports/team-a", objectstore.ProbeKey)); !os.IsNotExist(err) {
					t.Fatalf("probe object left behind: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Check = %v, want an error containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), tc.cfg.SecretAccessKey) {
				t.Fatalf("error shows the secret: %v", err)
			}
			if tc.name == "missing bucket" && !errors.Is(err, objectstore.ErrNoBucket) {
				t.Fatalf("error is not ErrNoBucket: %v", err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg   objectstore.Config
		field string
	}{
		{objectstore.Config{Bucket: "ok-bucket"}, ""},
		{objectstore.Config{Bucket: "Bad_Bucket"}, "bucket"},
		{objectstore.Config{Bucket: "ok-bucket", Prefix: "/a"}, "path_prefix"},
		{objectstore.Config{Bucket: "ok-bucket", Prefix: "a//b"}, "path_prefix"},
		{objectstore.Config{Bucket: "ok-bucket", Region: "us east"}, "region"},
		{objectstore.Config{Bucket: "ok-bucket", Endpoint: "s3.example.com"}, "endpoint"},
		{objectstore.Config{Bucket: "ok-bucket", Endpoint: "https://u:p@s3.example.com"}, "endpoint"},
		{objectstore.Config{Bucket: "ok-bucket", AccessKeyID: "a"}, "credentials"},
		{objectstore.Config{Bucket: "ok-bucket", SessionToken: "t"}, "credentials.session_token"},
	} {
		err := tc.cfg.Validate()
		var ce *objectstore.ConfigError
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%+v: %v", tc.cfg, err)
		case tc.field != "" && (!errors.As(err, &ce) || ce.Field != tc.field):
			t.Errorf("%+v: got %v, want an error on %s", tc.cfg, err, tc.field)
		}
	}
}
