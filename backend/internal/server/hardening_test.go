package server_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/internal/domain/job"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// closedByServer reports whether the server ends conn (a response or a
// close) before the generous bound; a server that never does fails.
func closedByServer(t *testing.T, conn net.Conn) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(45 * time.Second))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept the connection open")
	}
}

// Finding 7: a request body trickled or withheld does not hold a
// connection, a silent connection is closed, and a server stream outlives
// the body deadline.
func TestSecuritySlowClients(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{BodyReadTimeout: time.Second})
	addr := strings.TrimPrefix(api.URL, "http://")
	t.Run("slow body", func(t *testing.T) {
		t.Parallel()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /mgmt.v1alpha1.UserAccountService/GetUser HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
		closedByServer(t, conn)
	})
	t.Run("silent connection", func(t *testing.T) {
		t.Parallel()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		closedByServer(t, conn)
	})
	t.Run("stream outlives the body deadline", func(t *testing.T) {
		t.Parallel()
		c := api.Clients("")
		ctx := apitest.Ctx(t)
		srcURL := testdb.Postgres(t, "neosync_security_stream")
		execPG(t, srcURL, "CREATE TABLE big AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 100000) g")
		src := createConnection(t, c, personalAccount(t, c), "big", pgConfig(srcURL))
		stream, err := c.Data.GetConnectionDataStream(ctx, connect.NewRequest(&mgmt.GetConnectionDataStreamRequest{ConnectionId: src.GetId(), Schema: "public", Table: "big", BatchSize: 1000}))
		if err != nil {
			t.Fatal(err)
		}
		rows := 0
		for stream.Receive() {
			if rows == 0 {
				time.Sleep(3 * time.Second) // past the body deadline, with the server blocked on a full socket
			}
			rows += len(stream.Msg().GetRows())
		}
		if err := stream.Err(); err != nil || rows != 100000 {
			t.Fatalf("stream ended after %d rows: %v", rows, err)
		}
	})
}

// Finding 7: caps per job, and NUL bytes or invalid UTF-8 in names, are
// InvalidArgument naming the field, not internal errors.
func TestSecurityJobCapsAndBadStrings(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	srcURL := testdb.Postgres(t, "neosync_security_caps")
	execPG(t, srcURL, apitest.PostgresFixture)
	src := createConnection(t, c, accountID, "source", pgConfig(srcURL))
	dst := createConnection(t, c, accountID, "dest", pgConfig(testdb.Postgres(t, "neosync_security_caps_dst")))
	create := func(edit func(r *mgmt.CreateJobRequest)) error {
		r := &mgmt.CreateJobRequest{
			AccountId: accountID, JobName: "caps-" + testdb.Suffix(), Source: syncSource(src.GetId()),
			Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst.GetId()}},
			Mappings:     []*mgmt.JobMapping{mapping("shop", "stores", "email", "passthrough")},
		}
		edit(r)
		_, err := c.Jobs.CreateJob(ctx, connect.NewRequest(r))
		return err
	}
	for field, edit := range map[string]func(r *mgmt.CreateJobRequest){
		"mappings": func(r *mgmt.CreateJobRequest) {
			for i := range job.MaxMappings {
				r.Mappings = append(r.Mappings, mapping("s", "t", fmt.Sprint("c", i), "passthrough"))
			}
		},
		"virtual_foreign_keys": func(r *mgmt.CreateJobRequest) {
			for i := range job.MaxVirtualForeignKeys + 1 {
				r.VirtualForeignKeys = append(r.VirtualForeignKeys, &mgmt.VirtualForeignConstraint{Schema: "s", Table: fmt.Sprint("t", i), Columns: []string{"a"}, ReferencedSchema: "s", ReferencedTable: "r", ReferencedColumns: []string{"a"}})
			}
		},
		"source.sync.subsets": func(r *mgmt.CreateJobRequest) {
			for i := range job.MaxSubsets + 1 {
				r.Source.GetSync().Subsets = append(r.Source.GetSync().Subsets, &mgmt.JobSourceSubset{Schema: "s", Table: fmt.Sprint("t", i), WhereClause: "1=1"})
			}
		},
		"mappings[0].column": func(r *mgmt.CreateJobRequest) { r.Mappings[0].Column = "em\x00ail" },
		"virtual_foreign_keys[0].columns[0]": func(r *mgmt.CreateJobRequest) {
			r.VirtualForeignKeys = []*mgmt.VirtualForeignConstraint{{Schema: "shop", Table: "stores", Columns: []string{"a\x00"}, ReferencedSchema: "shop", ReferencedTable: "regions", ReferencedColumns: []string{"b"}}}
		},
	} {
		err := create(edit)
		wantCode(t, field, err, connect.CodeInvalidArgument)
		if !strings.Contains(err.Error(), field+":") {
			t.Errorf("%s: %q does not name the field", field, err)
		}
	}
	_, err := c.Users.CreateTeamAccount(ctx, connect.NewRequest(&mgmt.CreateTeamAccountRequest{Name: "team\x00one"}))
	wantCode(t, "NUL in an account name", err, connect.CodeInvalidArgument)

	// Invalid UTF-8 can only arrive in a hand-written body.
	resp, err := api.HTTP.Post(api.URL+"/mgmt.v1alpha1.UserAccountService/CreateTeamAccount", "application/json", strings.NewReader("{\"name\":\"team\xff\"}"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(bufio.NewReader(resp.Body))
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "invalid_argument") {
		t.Fatalf("invalid UTF-8 in a name: %d %s", resp.StatusCode, body)
	}
}
