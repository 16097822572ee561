package apiclient

import (
	"context"
	"fmt"
	"sync"
	"time"

	"connectrpc.com/connect"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
)

// ProtectedCacheTTL is how long a worker trusts the API's answer to
// GetWorkerPolicy before asking again. The API's database rarely moves;
// a minute bounds how long a replaced one goes unrecognised.
const ProtectedCacheTTL = time.Minute

// ProtectedDatabases returns a function for sqlconnect.Policy.Protected:
// the databases the API says no tenant connection may use (its own),
// asked of the API at most once per ttl. When the API cannot answer, the
// session is refused with the reason — a worker never opens a tenant's
// Postgres session it could not check.
func (c Clients) ProtectedDatabases(ttl time.Duration) func(ctx context.Context) ([]sqlconnect.Identity, error) {
	var (
		mu      sync.Mutex
		fetched time.Time
		cached  []sqlconnect.Identity
	)
	return func(ctx context.Context) ([]sqlconnect.Identity, error) {
		mu.Lock()
		defer mu.Unlock()
		if !fetched.IsZero() && time.Since(fetched) < ttl {
			return cached, nil
		}
		resp, err := c.Worker.GetWorkerPolicy(ctx, connect.NewRequest(&mgmtv1alpha1.GetWorkerPolicyRequest{}))
		if err != nil {
			return nil, fmt.Errorf("ask the API which databases are protected: %w", err)
		}
		ids := make([]sqlconnect.Identity, 0, len(resp.Msg.GetProtectedDatabases()))
		for _, p := range resp.Msg.GetProtectedDatabases() {
			ids = append(ids, sqlconnect.Identity{Server: p.GetServer(), Database: p.GetDatabase()})
		}
		cached, fetched = ids, time.Now()
		return ids, nil
	}
}
