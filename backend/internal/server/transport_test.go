package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
)

// TestProtocols calls the same server with Connect (HTTP/1.1 JSON via plain
// HTTP), gRPC over h2c, and the gRPC health service.
func TestProtocols(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	ctx := apitest.Ctx(t)

	// gRPC over cleartext HTTP/2.
	info, err := api.GRPCClients("").Users.GetSystemInformation(ctx, connect.NewRequest(&mgmt.GetSystemInformationRequest{}))
	if err != nil || info.Msg.GetGoVersion() == "" {
		t.Fatalf("gRPC GetSystemInformation = %v, %v", info, err)
	}

	// Plain JSON over HTTP/1.1, as curl sends it.
	resp, err := http.Post(api.URL+"/mgmt.v1alpha1.UserAccountService/GetUserAccounts", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var out struct {
		Accounts []struct{ ID, Type string } `json:"accounts"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &out) != nil || len(out.Accounts) != 1 || out.Accounts[0].Type != "USER_ACCOUNT_TYPE_PERSONAL" {
		t.Fatalf("curl-style call: %d %s", resp.StatusCode, body)
	}

	// Health.
	health := grpchealth.NewClient(api.H2C, api.URL, connect.WithGRPC())
	hr, err := health.Check(ctx, &grpchealth.CheckRequest{})
	if err != nil || hr.Status != grpchealth.StatusServing {
		t.Fatalf("health = %v, %v", hr, err)
	}
}

func TestOversizedRequestIsRejected(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	accountID := personalAccount(t, api.Clients(""))
	huge := bytes.Repeat([]byte("a"), 2<<20)
	payload, _ := json.Marshal(map[string]any{"accountId": accountID, "name": "big", "connectionConfig": map[string]any{"pgConfig": map[string]any{"url": string(huge)}}})
	resp, err := http.Post(api.URL+"/mgmt.v1alpha1.ConnectionService/CreateConnection", "application/json", bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode == 500 {
		t.Fatalf("oversized body: status %d, want a 4xx", resp.StatusCode)
	}
	list, err := api.Clients("").Connections.GetConnections(apitest.Ctx(t), connect.NewRequest(&mgmt.GetConnectionsRequest{AccountId: accountID}))
	if err != nil || len(list.Msg.GetConnections()) != 0 {
		t.Fatalf("oversized request stored something: %v %v", list, err)
	}
}
