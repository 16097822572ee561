package apiclient

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"connectrpc.com/connect"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

const url = "http://127.0.0.1:8080"

func TestTranslate(t *testing.T) {
	t.Parallel()
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := []struct {
		name      string
		err       error
		procedure string
		hasKey    bool
		want      string
		code      connect.Code
	}{
		{"bad key", connect.NewError(connect.CodeUnauthenticated, errors.New("missing, invalid or expired API key")), "/p.S/GetUser", true,
			"not logged in or the API key is invalid: run neosync login", connect.CodeUnauthenticated},
		{"no key", connect.NewError(connect.CodeUnauthenticated, errors.New("x")), "/p.S/GetUser", false,
			"not logged in: the API at " + url + " requires an API key; run neosync login --api-key KEY (or neosync login, when it signs people in with an identity provider)", connect.CodeUnauthenticated},
		{"dial", connect.NewError(connect.CodeUnavailable, dial), "/p.S/GetJobs", false,
			"cannot reach the Neosync API at " + url + ": connection refused", connect.CodeUnavailable},
		{"dns", connect.NewError(connect.CodeUnavailable, &net.DNSError{Name: "nope.invalid", Err: "no such host"}), "/p.S/GetJobs", false,
			"cannot reach the Neosync API at " + url + ": no such host nope.invalid", connect.CodeUnavailable},
		{"engine down", connect.NewError(connect.CodeUnavailable, errors.New("workflow engine (Temporal at 127.0.0.1:7233): start: refused")), "/p.S/CreateJobRun", false,
			"the Neosync API is up but cannot serve this now: workflow engine (Temporal at 127.0.0.1:7233): start: refused", connect.CodeUnavailable},
		{"not implemented", connect.NewError(connect.CodeUnimplemented, errors.New("mgmt.v1alpha1.JobService.CreateJobRun is not implemented")), "/mgmt.v1alpha1.JobService/CreateJobRun", false,
			"triggering a job run is not available yet on this server", connect.CodeUnimplemented},
		{"unknown rpc not implemented", connect.NewError(connect.CodeUnimplemented, errors.New("x")), "/mgmt.v1alpha1.JobService/Frobnicate", false,
			"Frobnicate is not available yet on this server", connect.CodeUnimplemented},
		{"not an API", connect.NewError(connect.CodeUnimplemented, errors.New("404 Not Found")), "/mgmt.v1alpha1.JobService/GetJobs", false,
			url + " does not look like a Neosync API (404 Not Found for GetJobs): check NEOSYNC_API_URL", connect.CodeUnimplemented},
		{"invalid argument", connect.NewError(connect.CodeInvalidArgument, errors.New("job_name: must be 1–100 characters")), "/p.S/CreateJob", false,
			"job_name: must be 1–100 characters", connect.CodeInvalidArgument},
		{"multi-line message", connect.NewError(connect.CodeFailedPrecondition, errors.New("line one\n  line two")), "/p.S/X", false,
			"line one line two", connect.CodeFailedPrecondition},
		{"internal", connect.NewError(connect.CodeInternal, errors.New("internal error; the server log has the details")), "/p.S/X", false,
			"the Neosync API failed: internal error; the server log has the details", connect.CodeInternal},
		{"canceled", connect.NewError(connect.CodeCanceled, context.Canceled), "/p.S/X", false, "canceled", connect.CodeCanceled},
		{"deadline", connect.NewError(connect.CodeDeadlineExceeded, context.DeadlineExceeded), "/p.S/X", false,
			"the Neosync API at " + url + " did not answer in time", connect.CodeDeadlineExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := translate(tc.err, url, tc.procedure, tc.hasKey)
			if err.Error() != tc.want {
				t.Fatalf("got  %q\nwant %q", err.Error(), tc.want)
			}
			if !IsCode(err, tc.code) || connect.CodeOf(err) != connect.CodeOf(tc.err) {
				t.Fatalf("code lost: %v / %v", IsCode(err, tc.code), connect.CodeOf(err))
			}
		})
	}
}

// TestUnreachableServer calls a closed loopback port through the real client.
func TestUnreachableServer(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + l.Addr().String()
	l.Close()
	c := New(DefaultHTTPClient(), addr, "key")
	_, err = c.Users.GetUser(context.Background(), connect.NewRequest(&mgmtv1alpha1.GetUserRequest{}))
	want := "cannot reach the Neosync API at " + addr + ": connection refused"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	if strings.Contains(err.Error(), "\n") || !IsCode(err, connect.CodeUnavailable) {
		t.Fatalf("bad error %q", err)
	}
}
