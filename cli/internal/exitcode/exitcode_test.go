package exitcode

import (
	"errors"
	"fmt"
	"testing"

	"connectrpc.com/connect"
)

func TestOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"plain", errors.New("boom"), Failure},
		{"usage", Usage(errors.New("unknown flag: --nope")), UsageCode},
		{"usage wrapped", fmt.Errorf("apply: %w", Usage(errors.New("x"))), UsageCode},
		{"not found", NotFoundf("no job named %q", "x"), NotFoundCode},
		{"run failed", RunFailed(errors.New("run 1 failed")), RunFailedCode},
		{"api not found", connect.NewError(connect.CodeNotFound, errors.New("job not found")), NotFoundCode},
		{"api unauthenticated", connect.NewError(connect.CodeUnauthenticated, errors.New("no key")), NotFoundCode},
		{"api permission denied", connect.NewError(connect.CodePermissionDenied, errors.New("no")), NotFoundCode},
		{"api invalid argument", connect.NewError(connect.CodeInvalidArgument, errors.New("bad")), Failure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Of(tc.err); got != tc.want {
				t.Errorf("Of(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
	if got := Usage(errors.New("msg")).Error(); got != "msg" {
		t.Errorf("a marked error reads %q, want its message unchanged", got)
	}
}
