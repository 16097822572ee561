package server_test

import (
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
)

func TestAccountApiKeys(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{AuthMode: "apikey"})
	admin, accountID := api.AccountKey(t, "keys-team")
	c := api.Clients(admin)
	ctx := apitest.Ctx(t)
	expires := timestamppb.New(time.Now().Add(30 * 24 * time.Hour))

	created, err := c.Keys.CreateAccountApiKey(ctx, connect.NewRequest(&mgmt.CreateAccountApiKeyRequest{AccountId: accountID, Name: "ci", ExpiresAt: expires}))
	if err != nil {
		t.Fatalf("CreateAccountApiKey: %v", err)
	}
	key := created.Msg.GetApiKey()
	value := key.GetKeyValue()
	if !strings.HasPrefix(value, "neo_ak_") || len(value) < 40 {
		t.Fatalf("key value %q does not look like a key", value)
	}

	// Validation.
	for name, req := range map[string]*mgmt.CreateAccountApiKeyRequest{
		"past expiry":    {AccountId: accountID, Name: "x", ExpiresAt: timestamppb.New(time.Now().Add(-time.Hour))},
		"far expiry":     {AccountId: accountID, Name: "x", ExpiresAt: timestamppb.New(time.Now().Add(5 * 365 * 24 * time.Hour))},
		"no expiry":      {AccountId: accountID, Name: "x"},
		"bad name":       {AccountId: accountID, Name: "", ExpiresAt: expires},
		"bad account id": {AccountId: "nope", Name: "x", ExpiresAt: expires},
	} {
		_, err := c.Keys.CreateAccountApiKey(ctx, connect.NewRequest(req))
		wantCode(t, name, err, connect.CodeInvalidArgument)
		if !strings.Contains(err.Error(), ":") {
			t.Errorf("%s: message %q names no field", name, err)
		}
	}
	_, err = c.Keys.CreateAccountApiKey(ctx, connect.NewRequest(&mgmt.CreateAccountApiKeyRequest{AccountId: accountID, Name: "ci", ExpiresAt: expires}))
	wantCode(t, "duplicate name", err, connect.CodeAlreadyExists)

	// The new key works, and reads never return a value.
	got, err := api.Clients(value).Keys.GetAccountApiKey(ctx, connect.NewRequest(&mgmt.GetAccountApiKeyRequest{Id: key.GetId()}))
	if err != nil {
		t.Fatalf("GetAccountApiKey with the new key: %v", err)
	}
	if got.Msg.GetApiKey().KeyValue != nil || got.Msg.GetApiKey().GetName() != "ci" {
		t.Fatalf("GetAccountApiKey = %v", got.Msg)
	}
	list, err := c.Keys.GetAccountApiKeys(ctx, connect.NewRequest(&mgmt.GetAccountApiKeysRequest{AccountId: accountID}))
	if err != nil || len(list.Msg.GetApiKeys()) != 2 {
		t.Fatalf("GetAccountApiKeys = %v, %v", list, err)
	}
	for _, k := range list.Msg.GetApiKeys() {
		if k.KeyValue != nil {
			t.Fatalf("list returned a key value")
		}
	}

	// Stored only as a hash.
	var stored []byte
	if err := api.Store.Pool().QueryRow(ctx, "SELECT key_hash FROM api_keys WHERE id = $1", key.GetId()).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(value))
	if string(stored) != string(sum[:]) {
		t.Fatalf("stored key is not the SHA-256 of the value")
	}

	// Regenerate: old value stops working, new one works.
	regen, err := c.Keys.RegenerateAccountApiKey(ctx, connect.NewRequest(&mgmt.RegenerateAccountApiKeyRequest{Id: key.GetId(), ExpiresAt: expires}))
	if err != nil {
		t.Fatalf("RegenerateAccountApiKey: %v", err)
	}
	newValue := regen.Msg.GetApiKey().GetKeyValue()
	if newValue == "" || newValue == value {
		t.Fatalf("regenerated value %q", newValue)
	}
	_, err = api.Clients(value).Users.GetUser(ctx, connect.NewRequest(&mgmt.GetUserRequest{}))
	wantCode(t, "old value after regenerate", err, connect.CodeUnauthenticated)
	if _, err := api.Clients(newValue).Users.GetUser(ctx, connect.NewRequest(&mgmt.GetUserRequest{})); err != nil {
		t.Fatalf("new value: %v", err)
	}

	// Delete revokes.
	if _, err := c.Keys.DeleteAccountApiKey(ctx, connect.NewRequest(&mgmt.DeleteAccountApiKeyRequest{Id: key.GetId()})); err != nil {
		t.Fatalf("DeleteAccountApiKey: %v", err)
	}
	_, err = api.Clients(newValue).Users.GetUser(ctx, connect.NewRequest(&mgmt.GetUserRequest{}))
	wantCode(t, "deleted key", err, connect.CodeUnauthenticated)
	_, err = c.Keys.GetAccountApiKey(ctx, connect.NewRequest(&mgmt.GetAccountApiKeyRequest{Id: key.GetId()}))
	wantCode(t, "get deleted", err, connect.CodeNotFound)
	_, err = c.Keys.DeleteAccountApiKey(ctx, connect.NewRequest(&mgmt.DeleteAccountApiKeyRequest{Id: key.GetId()}))
	wantCode(t, "delete twice", err, connect.CodeNotFound)
}

func TestExpiredKeyIsRejected(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{AuthMode: "apikey"})
	key, _ := api.AccountKey(t, "expiring")
	ctx := apitest.Ctx(t)
	if _, err := api.Store.Pool().Exec(ctx, "UPDATE api_keys SET expires_at = now() - interval '1 second'"); err != nil {
		t.Fatal(err)
	}
	_, err := api.Clients(key).Users.GetUser(ctx, connect.NewRequest(&mgmt.GetUserRequest{}))
	wantCode(t, "expired key", err, connect.CodeUnauthenticated)
}
