package server_test

import (
	"fmt"
	"strings"
	"testing"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/piiscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// TestScanConnectionPii scans the labelled schema through the API on both
// dialects and measures the scanner: precision and recall over the
// structured kinds must reach 0.95 and 0.9.
func TestScanConnectionPii(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	accountID := personalAccount(t, c)

	pgURL := testdb.Postgres(t, "neosync_pii")
	execPG(t, pgURL, "CREATE SCHEMA lab")
	for _, s := range labelledStatements(t, sqlschema.DialectPostgres, "lab", 300) {
		execPG(t, pgURL, s)
	}
	myURL, myDB := testdb.MySQL(t, "neosync_pii")
	mySchema := myURL[strings.LastIndex(myURL, "/")+1:]
	if i := strings.IndexByte(mySchema, '?'); i >= 0 {
		mySchema = mySchema[:i]
	}
	for _, s := range labelledStatements(t, sqlschema.DialectMySQL, mySchema, 300) {
		if _, err := myDB.ExecContext(apitest.Ctx(t), s); err != nil {
			t.Fatalf("mysql fixture: %v", err)
		}
	}

	for _, tc := range []struct {
		name, schema string
		cfg          *mgmt.ConnectionConfig
	}{
		{"postgres", "lab", pgConfig(pgURL)},
		{"mariadb", mySchema, mysqlConfig(myURL)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := apitest.Ctx(t)
			conn := createConnection(t, c, accountID, "pii-"+tc.name, tc.cfg)
			resp, err := c.Data.ScanConnectionPii(ctx, connect.NewRequest(&mgmt.ScanConnectionPiiRequest{ConnectionId: conn.GetId(), Schemas: []string{tc.schema}}))
			if err != nil {
				t.Fatalf("ScanConnectionPii: %v", err)
			}
			if got := resp.Msg.GetTablesScanned(); got != 3 {
				t.Errorf("tables_scanned = %d, want 3", got)
			}
			predicted := map[string]*mgmt.PiiFinding{}
			for _, f := range resp.Msg.GetFindings() {
				predicted[f.GetTable()+"."+f.GetColumn()] = f
				if ev := f.GetEvidence(); ev.GetSampled() != piiSample || ev.GetMatched() > ev.GetNonNull() {
					t.Errorf("%s.%s: evidence %v, want %d sampled rows", f.GetTable(), f.GetColumn(), ev, piiSample)
				}
				if f.GetSuggestedTransformer().GetSource() == "" {
					t.Errorf("%s.%s: no suggested transformer", f.GetTable(), f.GetColumn())
				}
			}
			m := measure(t, predicted)
			t.Logf("%s: structured kinds precision %.3f recall %.3f (tp %d fp %d fn %d); all kinds precision %.3f recall %.3f",
				tc.name, m.precision(), m.recall(), m.tp, m.fp, m.fn, m.all.precision(), m.all.recall())
			if m.precision() < 0.95 || m.recall() < 0.9 {
				t.Errorf("structured kinds: precision %.3f (want >= 0.95), recall %.3f (want >= 0.9)", m.precision(), m.recall())
			}
			if f := predicted["customers.email"]; f.GetSuggestedTransformer().GetSource() != "transform_email" {
				t.Errorf("customers.email suggestion = %v, want transform_email", f.GetSuggestedTransformer())
			}
		})
	}

	t.Run("bad sample size", func(t *testing.T) {
		t.Parallel()
		conn := createConnection(t, c, accountID, "pii-bad", pgConfig(pgURL))
		_, err := c.Data.ScanConnectionPii(apitest.Ctx(t), connect.NewRequest(&mgmt.ScanConnectionPiiRequest{ConnectionId: conn.GetId(), SampleSize: sqlschema.MaxSampleRows + 1}))
		if apitest.Code(t, err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "sample_size") {
			t.Errorf("sample_size too large: %v, want InvalidArgument naming sample_size", err)
		}
	})
}

// piiSample is the API's default sample (200 of the 300 rows).
const piiSample = 200

// confusion counts column-level outcomes.
type confusion struct{ tp, fp, fn int }

func (c confusion) precision() float64 { return ratio(c.tp, c.tp+c.fp) }
func (c confusion) recall() float64    { return ratio(c.tp, c.tp+c.fn) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// measurement is the confusion over structured kinds, and over all kinds.
type measurement struct {
	confusion
	all confusion
}

// measure compares the findings with the labels: a column counts as a true
// positive when the predicted kind equals its label.
func measure(t *testing.T, predicted map[string]*mgmt.PiiFinding) measurement {
	var m measurement
	for _, tb := range labelledSchema() {
		for _, col := range tb.cols {
			key := tb.name + "." + col.name
			label, got := col.label, predicted[key].GetKind()
			if label != got {
				t.Logf("%s: labelled %q, found %q (%s)", key, label, got, fmt.Sprint(predicted[key].GetEvidence()))
			}
			count := func(c *confusion, in func(string) bool) {
				switch {
				case in(label) && got == label:
					c.tp++
				case in(got) && got != label:
					c.fp++
					if in(label) {
						c.fn++
					}
				case in(label):
					c.fn++
				}
			}
			count(&m.confusion, func(k string) bool { return piiscan.Kind(k).IsStructured() })
			count(&m.all, func(k string) bool { return k != "" })
		}
	}
	return m
}
