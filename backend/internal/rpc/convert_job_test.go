package rpc

import (
	"testing"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/domain/job"
)

func TestDestinationOptionsRoundTrip(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]*mgmtv1alpha1.JobDestinationOptions{
		"empty": {},
		"all set": {
			InitTableSchema: true, TruncateBeforeInsert: true, TruncateCascade: true,
			OnConflict: job.OnConflictDoUpdate, BatchSize: 500,
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := job.Destination{ID: uuid.New(), ConnectionID: uuid.New(), Options: destinationOptionsFromProto(in)}
			if out := destinationToProto(d).GetOptions(); !proto.Equal(out, in) {
				t.Errorf("round trip of %v = %v", in, out)
			}
		})
	}
}
