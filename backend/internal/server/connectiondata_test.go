package server_test

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// introspectionCase is what the fixture must look like through the API on one dialect.
type introspectionCase struct {
	name   string
	schema string
	cfg    *mgmt.ConnectionConfig
}

func setupIntrospection(t *testing.T) []introspectionCase {
	pgURL := testdb.Postgres(t, "neosync_introspect")
	execPG(t, pgURL, apitest.PostgresFixture)
	myURL, myDB := testdb.MySQL(t, "neosync_introspect")
	if _, err := myDB.ExecContext(apitest.Ctx(t), apitest.MySQLFixture); err != nil {
		t.Fatalf("mysql fixture: %v", err)
	}
	mySchema := myURL[strings.LastIndex(myURL, "/")+1:]
	return []introspectionCase{
		{"postgres", "shop", pgConfig(pgURL)},
		{"mariadb", mySchema, mysqlConfig(myURL)},
	}
}

func TestIntrospection(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	accountID := personalAccount(t, c)
	for _, tc := range setupIntrospection(t) {
		t.Run(tc.name, func(t *testing.T) {
			ctx := apitest.Ctx(t)
			conn := createConnection(t, c, accountID, tc.name, tc.cfg)

			tables, err := c.Data.GetAllSchemasAndTables(ctx, connect.NewRequest(&mgmt.GetAllSchemasAndTablesRequest{ConnectionId: conn.GetId()}))
			if err != nil {
				t.Fatalf("GetAllSchemasAndTables: %v", err)
			}
			var names []string
			for _, tb := range tables.Msg.GetTables() {
				if tb.GetSchema() == tc.schema {
					names = append(names, tb.GetTable())
				}
			}
			if want := []string{"a", "b", "c", "employees", "regions", "stores"}; !slices.Equal(names, want) {
				t.Fatalf("tables = %v, want %v", names, want)
			}

			schema, err := c.Data.GetConnectionSchema(ctx, connect.NewRequest(&mgmt.GetConnectionSchemaRequest{ConnectionId: conn.GetId(), Schemas: []string{tc.schema}}))
			if err != nil {
				t.Fatalf("GetConnectionSchema: %v", err)
			}
			cols := map[string]*mgmt.DatabaseColumn{}
			for _, col := range schema.Msg.GetColumns() {
				cols[col.GetTable()+"."+col.GetColumn()] = col
			}
			check := func(key string, f func(*mgmt.DatabaseColumn) bool, what string) {
				t.Helper()
				col, ok := cols[key]
				if !ok {
					t.Errorf("column %s missing", key)
					return
				}
				if !f(col) {
					t.Errorf("column %s: want %s, got %+v", key, what, col)
				}
			}
			check("stores.id", func(c *mgmt.DatabaseColumn) bool { return c.GetIdentityGeneration() != "" && !c.GetIsNullable() }, "identity / auto-increment")
			check("stores.price_dollars", func(c *mgmt.DatabaseColumn) bool { return c.GetGeneratedType() != "" }, "generated")
			check("stores.price_cents", func(c *mgmt.DatabaseColumn) bool {
				return c.ColumnDefault != nil && strings.Contains(c.GetColumnDefault(), "0")
			}, "default 0")
			check("stores.mood", func(c *mgmt.DatabaseColumn) bool {
				return slices.Equal(c.GetEnumValues(), []string{"happy", "sad"}) && c.GetIsNullable()
			}, "enum happy,sad")
			check("stores.meta", func(c *mgmt.DatabaseColumn) bool { return c.GetDataType() != "" }, "a json type")
			check("employees.name", func(c *mgmt.DatabaseColumn) bool {
				return c.GetCharacterMaximumLength() == 100 && !c.GetIsNullable()
			}, "varchar(100) not null")
			if tc.name == "postgres" {
				check("stores.tags", func(c *mgmt.DatabaseColumn) bool { return c.GetIsArray() && c.GetDataType() == "text[]" }, "text[]")
				check("stores.scores", func(c *mgmt.DatabaseColumn) bool { return c.GetIsArray() && c.GetDataType() == "integer[]" }, "integer[]")
				check("stores.doc", func(c *mgmt.DatabaseColumn) bool { return c.GetDataType() == "jsonb" }, "jsonb")
				check("employees.id", func(c *mgmt.DatabaseColumn) bool { return c.GetIdentityGeneration() == "BY DEFAULT" }, "identity by default")
				check("stores.id", func(c *mgmt.DatabaseColumn) bool { return c.GetIdentityGeneration() == "ALWAYS" }, "identity always")
			} else {
				check("stores.price_stored", func(c *mgmt.DatabaseColumn) bool { return c.GetGeneratedType() == "STORED" }, "stored generated")
				check("stores.price_dollars", func(c *mgmt.DatabaseColumn) bool { return c.GetGeneratedType() == "VIRTUAL" }, "virtual generated")
				check("stores.id", func(c *mgmt.DatabaseColumn) bool { return c.GetIdentityGeneration() == "AUTO_INCREMENT" }, "auto increment")
			}

			cons, err := c.Data.GetConnectionTableConstraints(ctx, connect.NewRequest(&mgmt.GetConnectionTableConstraintsRequest{ConnectionId: conn.GetId(), Schemas: []string{tc.schema}}))
			if err != nil {
				t.Fatalf("GetConnectionTableConstraints: %v", err)
			}
			byTable := map[string]*mgmt.TableConstraints{}
			for _, tcn := range cons.Msg.GetTables() {
				byTable[tcn.GetTable().GetTable()] = tcn
			}
			if pk := byTable["regions"].GetPrimaryKeyColumns(); !slices.Equal(pk, []string{"country", "code"}) {
				t.Errorf("regions primary key = %v", pk)
			}
			fks := byTable["stores"].GetForeignKeys()
			if len(fks) != 1 || !slices.Equal(fks[0].GetColumns(), []string{"region_country", "region_code"}) ||
				!slices.Equal(fks[0].GetReferencedColumns(), []string{"country", "code"}) || fks[0].GetReferencedTable().GetTable() != "regions" {
				t.Errorf("stores composite foreign key = %v", fks)
			}
			var uniques [][]string
			for _, u := range byTable["stores"].GetUniqueConstraints() {
				uniques = append(uniques, u.GetColumns())
			}
			if !slices.ContainsFunc(uniques, func(c []string) bool { return slices.Equal(c, []string{"email"}) }) ||
				!slices.ContainsFunc(uniques, func(c []string) bool { return slices.Equal(c, []string{"region_country", "region_code", "email"}) }) {
				t.Errorf("stores unique constraints = %v", uniques)
			}
			self := byTable["employees"].GetForeignKeys()
			if len(self) != 1 || self[0].GetReferencedTable().GetTable() != "employees" || self[0].GetNotNullable()[0] {
				t.Errorf("employees self reference = %v", self)
			}
			for from, to := range map[string]string{"a": "b", "b": "c", "c": "a"} {
				f := byTable[from].GetForeignKeys()
				if len(f) != 1 || f[0].GetReferencedTable().GetTable() != to {
					t.Errorf("cycle edge %s → %s: %v", from, to, f)
				}
			}
			if byTable["c"].GetForeignKeys()[0].GetNotNullable()[0] || !byTable["a"].GetForeignKeys()[0].GetNotNullable()[0] {
				t.Errorf("cycle nullability wrong: c→a should be nullable, a→b not")
			}

			count, err := c.Data.GetTableRowCount(ctx, connect.NewRequest(&mgmt.GetTableRowCountRequest{ConnectionId: conn.GetId(), Schema: tc.schema, Table: "stores"}))
			if err != nil || count.Msg.GetCount() != 3 {
				t.Fatalf("GetTableRowCount = %v, %v", count, err)
			}
			count, err = c.Data.GetTableRowCount(ctx, connect.NewRequest(&mgmt.GetTableRowCountRequest{ConnectionId: conn.GetId(), Schema: tc.schema, Table: "stores", WhereClause: ptr("region_country = 'US'")}))
			if err != nil || count.Msg.GetCount() != 2 {
				t.Fatalf("GetTableRowCount with WHERE = %v, %v", count, err)
			}
			_, err = c.Data.GetTableRowCount(ctx, connect.NewRequest(&mgmt.GetTableRowCountRequest{ConnectionId: conn.GetId(), Schema: tc.schema, Table: "stores", WhereClause: ptr("no_such_column = 1")}))
			wantCode(t, "bad where", err, connect.CodeInvalidArgument)
			_, err = c.Data.GetTableRowCount(ctx, connect.NewRequest(&mgmt.GetTableRowCountRequest{ConnectionId: conn.GetId(), Schema: tc.schema, Table: "nope"}))
			wantCode(t, "unknown table", err, connect.CodeNotFound)

			stream, err := c.Data.GetConnectionDataStream(ctx, connect.NewRequest(&mgmt.GetConnectionDataStreamRequest{ConnectionId: conn.GetId(), Schema: tc.schema, Table: "employees", BatchSize: 2}))
			if err != nil {
				t.Fatal(err)
			}
			var rows [][]*mgmt.RowValue
			batches := 0
			for stream.Receive() {
				batches++
				if !slices.Equal(stream.Msg().GetColumns(), []string{"id", "name", "manager_id"}) {
					t.Fatalf("stream columns = %v", stream.Msg().GetColumns())
				}
				for _, r := range stream.Msg().GetRows() {
					rows = append(rows, r.GetValues())
				}
			}
			if err := stream.Err(); err != nil && !errors.Is(err, io.EOF) {
				t.Fatalf("stream: %v", err)
			}
			if batches != 2 || len(rows) != 3 || !rows[0][2].GetIsNull() || rows[1][1].GetText() != "Grace" || rows[1][2].GetText() != "1" {
				t.Fatalf("streamed %d batches, rows %v", batches, rows)
			}
		})
	}
}
