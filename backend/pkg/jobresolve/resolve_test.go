package jobresolve

import (
	"errors"
	"reflect"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

var (
	srcCfg = sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: "postgres://src/db"}
	dstCfg = sqlconnect.Config{Driver: sqlconnect.DriverMySQL, URL: "root@tcp(dst)/db"}
	email  = syncplan.Transformer{Source: "transform_email", Params: map[string]any{"preserve_domain": true}}
	hashed = syncplan.Transformer{Source: "transform_hash", Params: map[string]any{"algo": "sha256"}}
	vfk    = syncplan.VirtualForeignKey{Table: sqlschema.TableName{Schema: "public", Table: "orders"}, Columns: []string{"user_id"},
		Referenced: sqlschema.TableName{Schema: "public", Table: "users"}, ReferencedColumns: []string{"id"}}
)

// syncDefinition is a sync job with a user-defined transformer, a subset,
// a virtual foreign key and one destination.
func syncDefinition() Definition {
	return Definition{
		Name: "nightly",
		Sync: &SyncSource{ConnectionID: "src", SubsetByForeignKeys: true, HaltOnNewColumn: true,
			Subsets: []syncplan.Subset{{Schema: "public", Table: "users", Where: "id < 100"}},
			PRF:     transformers.PRFv2, LeakPolicy: leakscan.Policy{WarnRate: 0.02}},
		Mappings: []Mapping{
			{Schema: "public", Table: "users", Column: "email", Transformer: email},
			{Schema: "public", Table: "users", Column: "ssn", Transformer: syncplan.Transformer{Source: "passthrough"}, UserDefinedID: "udt"},
		},
		VirtualForeignKeys: []syncplan.VirtualForeignKey{vfk},
		Destinations:       []Destination{{ConnectionID: "dst", Options: syncplan.DestinationOptions{Truncate: true, BatchSize: 10}}},
		Key:                []byte("k"),
	}
}

func resolved() Resolved {
	return Resolved{
		Connections:  map[string]Connection{"src": {Name: "prod", Config: srcCfg}, "dst": {Name: "stage", Config: dstCfg}},
		Transformers: map[string]syncplan.Transformer{"udt": hashed},
	}
}

func TestResolveSync(t *testing.T) {
	t.Parallel()
	want := syncplan.Job{
		Source:       srcCfg,
		Destinations: []syncplan.Destination{{Name: "stage", Conn: dstCfg, Options: syncplan.DestinationOptions{Truncate: true, BatchSize: 10}}},
		Mappings: []syncplan.Mapping{
			{Schema: "public", Table: "users", Column: "email", Transformer: email},
			{Schema: "public", Table: "users", Column: "ssn", Transformer: hashed},
		},
		Subsets:             []syncplan.Subset{{Schema: "public", Table: "users", Where: "id < 100"}},
		SubsetByForeignKeys: true, HaltOnNewColumn: true,
		VirtualForeignKeys: []syncplan.VirtualForeignKey{vfk},
		Key:                []byte("k"),
		PRF:                transformers.PRFv2,
		LeakPolicy:         leakscan.Policy{WarnRate: 0.02},
	}
	for name, tc := range map[string]struct {
		res  func() Resolved
		want func() syncplan.Job
	}{
		"with connections": {resolved, func() syncplan.Job { return want }},
		"without connections": {
			func() Resolved { r := resolved(); r.Connections = nil; return r },
			func() syncplan.Job { w := want; w.Source, w.Destinations = sqlconnect.Config{}, nil; return w },
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := Resolve(syncDefinition(), tc.res())
			if err != nil {
				t.Fatal(err)
			}
			if got.Generate != nil || got.Sync == nil {
				t.Fatalf("Resolve = %+v, want a sync job only", got)
			}
			if w := tc.want(); !reflect.DeepEqual(*got.Sync, w) {
				t.Errorf("sync job =\n%+v\nwant\n%+v", *got.Sync, w)
			}
		})
	}
}

func TestResolveGenerate(t *testing.T) {
	t.Parallel()
	users := sqlschema.TableName{Schema: "public", Table: "users"}
	d := Definition{
		Name:         "seed",
		Generate:     &GenerateSource{SchemaConnectionID: "src", Tables: []GenerateTable{{Table: users, RowCount: 500}}},
		Mappings:     []Mapping{{Schema: "public", Table: "users", Column: "email", UserDefinedID: "udt"}},
		Destinations: []Destination{{ConnectionID: "dst", Options: syncplan.DestinationOptions{InitSchema: true}}},
	}
	got, err := Resolve(d, resolved())
	if err != nil {
		t.Fatal(err)
	}
	if got.Sync != nil || got.Generate == nil {
		t.Fatalf("Resolve = %+v, want a generation only", got)
	}
	g := got.Generate
	if g.Schema != srcCfg {
		t.Errorf("schema connection = %+v, want %+v", g.Schema, srcCfg)
	}
	wantDst := []syncplan.Destination{{Name: "stage", Conn: dstCfg, Options: syncplan.DestinationOptions{InitSchema: true}}}
	if !reflect.DeepEqual(g.Destinations, wantDst) {
		t.Errorf("destinations = %+v, want %+v", g.Destinations, wantDst)
	}
	if !reflect.DeepEqual(g.Request.Tables, map[sqlschema.TableName]int64{users: 500}) {
		t.Errorf("tables = %v", g.Request.Tables)
	}
	wantMap := []syncplan.Mapping{{Schema: "public", Table: "users", Column: "email", Transformer: hashed}}
	if !reflect.DeepEqual(g.Request.Mappings, wantMap) {
		t.Errorf("mappings = %+v, want %+v", g.Request.Mappings, wantMap)
	}
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	unreadable := errors.New("pg_config.url: is empty")
	generateDef := func() Definition {
		d := syncDefinition()
		d.Sync, d.Generate = nil, &GenerateSource{SchemaConnectionID: "src"}
		return d
	}
	for name, tc := range map[string]struct {
		def  func() Definition
		res  func(r *Resolved)
		want string
		is   error
	}{
		"no source": {func() Definition { d := syncDefinition(); d.Sync = nil; return d }, nil,
			"job nightly has no source (sync or generate)", nil},
		"both sources": {func() Definition { d := syncDefinition(); d.Generate = &GenerateSource{}; return d }, nil,
			"job nightly has both a sync and a generate source", nil},
		"source missing": {syncDefinition, func(r *Resolved) { delete(r.Connections, "src") },
			"job nightly: source connection src was not resolved", nil},
		"source unreadable": {syncDefinition, func(r *Resolved) { r.Connections["src"] = Connection{Name: "prod", Err: unreadable} },
			`source connection "prod": pg_config.url: is empty`, unreadable},
		"destination missing": {syncDefinition, func(r *Resolved) { delete(r.Connections, "dst") },
			"job nightly: destination connection dst was not resolved", nil},
		"destination unreadable": {syncDefinition, func(r *Resolved) { r.Connections["dst"] = Connection{Name: "stage", Err: unreadable} },
			`destination connection "stage": pg_config.url: is empty`, unreadable},
		"transformer missing": {syncDefinition, func(r *Resolved) { delete(r.Transformers, "udt") },
			"mapping public.users.ssn: user-defined transformer udt was not resolved", nil},
		"generate schema missing": {generateDef, func(r *Resolved) { delete(r.Connections, "src") },
			"job nightly: schema connection src was not resolved", nil},
		"generate schema unreadable": {generateDef, func(r *Resolved) { r.Connections["src"] = Connection{Name: "prod", Err: unreadable} },
			"schema connection: pg_config.url: is empty", unreadable},
		"generate destination unreadable": {generateDef, func(r *Resolved) { r.Connections["dst"] = Connection{Name: "stage", Err: unreadable} },
			"destination: pg_config.url: is empty", unreadable},
		"generate transformer missing": {generateDef, func(r *Resolved) { r.Transformers = nil },
			"mapping public.users.ssn: user-defined transformer udt was not resolved", nil},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := resolved()
			if tc.res != nil {
				tc.res(&r)
			}
			got, err := Resolve(tc.def(), r)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Resolve error = %v, want %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
			if got.Sync != nil || got.Generate != nil {
				t.Errorf("Resolve returned a job with its error: %+v", got)
			}
		})
	}
}

func TestDefinitionIDs(t *testing.T) {
	t.Parallel()
	d := syncDefinition()
	d.Destinations = append(d.Destinations, Destination{ConnectionID: "src"}, Destination{ConnectionID: "dst2"})
	d.Mappings = append(d.Mappings, Mapping{UserDefinedID: "udt2"}, Mapping{UserDefinedID: "udt"})
	if got, want := d.ConnectionIDs(), []string{"src", "dst", "dst2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ConnectionIDs = %v, want %v", got, want)
	}
	if got, want := d.TransformerIDs(), []string{"udt", "udt2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("TransformerIDs = %v, want %v", got, want)
	}
	g := Definition{Generate: &GenerateSource{SchemaConnectionID: "schema"}}
	if got := g.ConnectionIDs(); !reflect.DeepEqual(got, []string{"schema"}) {
		t.Errorf("generate ConnectionIDs = %v", got)
	}
	if got := (Definition{}).TransformerIDs(); len(got) != 0 {
		t.Errorf("TransformerIDs of no mapping = %v", got)
	}
}

// TestResolveDoesNotAlias checks that the resolved job does not share its
// slices with the definition: the CLI filters the job it gets.
func TestResolveDoesNotAlias(t *testing.T) {
	t.Parallel()
	d := syncDefinition()
	got, err := Resolve(d, resolved())
	if err != nil {
		t.Fatal(err)
	}
	got.Sync.Subsets[0].Where = "changed"
	got.Sync.VirtualForeignKeys[0].Columns = nil
	if d.Sync.Subsets[0].Where != "id < 100" || d.VirtualForeignKeys[0].Columns == nil {
		t.Errorf("the definition changed with its resolved job: %+v", d)
	}
}
