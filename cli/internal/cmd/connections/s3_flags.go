package connections

import (
	"errors"

	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/protoconv"
)

// s3Flags describe an S3-compatible bucket, a sync destination.
type s3Flags struct {
	bucket, prefix, region, endpoint string
	pathStyle                        bool
	accessKeyID, secretAccessKey     string
}

func (f *s3Flags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.bucket, "s3-bucket", "", "an S3-compatible bucket jobs export to (instead of a database)")
	fl.StringVar(&f.prefix, "s3-prefix", "", "key prefix for the exports (no leading or trailing '/')")
	fl.StringVar(&f.region, "s3-region", "", "the bucket's region (default us-east-1)")
	fl.StringVar(&f.endpoint, "s3-endpoint", "", "base URL of an S3-compatible server (empty for AWS)")
	fl.BoolVar(&f.pathStyle, "s3-path-style", false, "address the bucket as ENDPOINT/BUCKET (most self-hosted servers need it)")
	fl.StringVar(&f.accessKeyID, "s3-access-key-id", "", "static access key id (without keys, requests are anonymous)")
	fl.StringVar(&f.secretAccessKey, "s3-secret-access-key", "", "static secret key (prefer --s3-secret-access-key \"$AWS_SECRET_ACCESS_KEY\" to typing it)")
}

func (f *s3Flags) given() bool {
	return f.bucket != "" || f.prefix != "" || f.region != "" || f.endpoint != "" || f.pathStyle || f.accessKeyID != "" || f.secretAccessKey != ""
}

// config builds the bucket's config and checks it as the API will.
func (f *s3Flags) config() (*mgmtv1alpha1.ConnectionConfig, error) {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	s3 := &mgmtv1alpha1.AwsS3ConnectionConfig{Bucket: f.bucket, PathPrefix: opt(f.prefix), Region: opt(f.region), Endpoint: opt(f.endpoint), ForcePathStyle: f.pathStyle}
	if f.accessKeyID != "" || f.secretAccessKey != "" {
		s3.Credentials = &mgmtv1alpha1.AwsS3Credentials{AccessKeyId: opt(f.accessKeyID), SecretAccessKey: opt(f.secretAccessKey)}
	}
	if err := protoconv.S3Config(s3).Validate(); err != nil {
		return nil, errors.New("--s3-*: " + err.Error())
	}
	return &mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_AwsS3Config{AwsS3Config: s3}}, nil
}
