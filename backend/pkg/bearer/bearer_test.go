package bearer

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
)

func TestInterceptorSendsTheKey(t *testing.T) {
	t.Parallel()
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
	}))
	defer srv.Close()
	for _, key := range []string{"neo_ak_x", ""} {
		c := mgmtv1alpha1connect.NewUserAccountServiceClient(srv.Client(), srv.URL, connect.WithInterceptors(Interceptor(key)), connect.WithProtoJSON())
		if _, err := c.GetUser(context.Background(), connect.NewRequest(&mgmt.GetUserRequest{})); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 2 || got[0] != "Bearer neo_ak_x" || got[1] != "" {
		t.Fatalf("Authorization headers = %q", got)
	}
}
