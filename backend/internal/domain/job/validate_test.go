package job

import (
	"errors"
	"testing"

	"github.com/neosyncio/neosync/backend/internal/domain"
)

func TestValidateDestinationOptions(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		opts  DestinationOptions
		field string // "" means valid
	}{
		"defaults":            {DestinationOptions{}, ""},
		"largest batch":       {DestinationOptions{BatchSize: MaxBatchSize}, ""},
		"batch too large":     {DestinationOptions{BatchSize: MaxBatchSize + 1}, "dst.batch_size"},
		"negative batch":      {DestinationOptions{BatchSize: -1}, "dst.batch_size"},
		"unknown on_conflict": {DestinationOptions{OnConflict: "explode"}, "dst.on_conflict"},
		"cascade alone":       {DestinationOptions{TruncateCascade: true}, "dst.truncate_cascade"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := validateDestinationOptions("dst", tc.opts)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("validateDestinationOptions(%+v) = %v, want nil", tc.opts, err)
				}
				return
			}
			var ve *domain.ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Fatalf("validateDestinationOptions(%+v) = %v, want a ValidationError on %q", tc.opts, err, tc.field)
			}
		})
	}
}
