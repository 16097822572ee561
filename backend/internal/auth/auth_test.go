package auth

import (
	"errors"
	"testing"

	"github.com/neosyncio/neosync/backend/internal/domain"
)

func TestBearerToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		token  string
		ok     bool
	}{
		{"Bearer abc", "abc", true},
		{"bearer   abc  ", "abc", true},
		{"Basic abc", "", false},
		{"Bearer ", "", false},
		{"", "", false},
		{"abc", "", false},
	}
	for _, tc := range tests {
		tok, ok := bearerToken(tc.header)
		if tok != tc.token || ok != tc.ok {
			t.Errorf("bearerToken(%q) = %q, %v; want %q, %v", tc.header, tok, ok, tc.token, tc.ok)
		}
	}
}

func TestAuthorizeWorker(t *testing.T) {
	t.Parallel()
	worker := &Principal{Kind: KindWorker}
	if err := Authorize(worker, "/mgmt.v1alpha1.JobService/GetJob"); err != nil {
		t.Fatalf("worker GetJob: %v", err)
	}
	var pd *domain.PermissionDeniedError
	if err := Authorize(worker, "/mgmt.v1alpha1.ConnectionService/DeleteConnection"); !errors.As(err, &pd) {
		t.Fatalf("worker DeleteConnection: %v, want PermissionDenied", err)
	}
	user := &Principal{Kind: KindUser}
	if err := Authorize(user, "/mgmt.v1alpha1.ConnectionService/DeleteConnection"); err != nil {
		t.Fatalf("user: %v", err)
	}
}
