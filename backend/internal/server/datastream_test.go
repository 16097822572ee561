package server_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// TestConnectionDataStreamExactValues streams values a text protocol gets
// wrong: bytes that are not UTF-8 (a protobuf string cannot carry them)
// arrive as binary, and MySQL FLOAT keeps every digit.
func TestConnectionDataStreamExactValues(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	accountID := personalAccount(t, c)
	myURL, myDB := testdb.MySQL(t, "neosync_stream_values")
	ctx := apitest.Ctx(t)
	for _, stmt := range []string{
		"CREATE TABLE vals (id int PRIMARY KEY, raw varbinary(8), txt varchar(20), f float)",
		"INSERT INTO vals VALUES (1, 0x00ff10c3, 'Café ☕', 16777216), (2, 0x616263, NULL, 1.2345678)",
	} {
		if _, err := myDB.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	conn := createConnection(t, c, accountID, "values", mysqlConfig(myURL))
	schema := myURL[strings.LastIndex(myURL, "/")+1:]
	stream, err := c.Data.GetConnectionDataStream(ctx, connect.NewRequest(&mgmt.GetConnectionDataStreamRequest{ConnectionId: conn.GetId(), Schema: schema, Table: "vals"}))
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]*mgmt.RowValue
	for stream.Receive() {
		for _, r := range stream.Msg().GetRows() {
			rows = append(rows, r.GetValues())
		}
	}
	if err := stream.Err(); err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("stream: %v", err)
	}
	if len(rows) != 2 {
		t.Fatalf("streamed %d rows, want 2", len(rows))
	}
	if got := rows[0][1].GetBinary(); !bytes.Equal(got, []byte{0x00, 0xff, 0x10, 0xc3}) {
		t.Errorf("non-UTF-8 bytes = %v (text %q), want them as binary", got, rows[0][1].GetText())
	}
	if rows[1][1].GetText() != "abc" || rows[0][2].GetText() != "Café ☕" || !rows[1][2].GetIsNull() {
		t.Errorf("text values = %v", rows)
	}
	if rows[0][3].GetText() != "1.6777216e+07" || rows[1][3].GetText() != "1.2345678" {
		t.Errorf("float values %q, %q; want every digit", rows[0][3].GetText(), rows[1][3].GetText())
	}
}
