package progress

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLocalRunThroughThePlainView(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	l := NewLocal("sync of connection prod", []LocalTable{{Schema: "public", Table: "a", Rows: 10}, {Schema: "public", Table: "b"}}, clock)
	var out bytes.Buffer
	p := NewPlain(&out, "")
	if err := p.Update(l.Snapshot(), now); err != nil {
		t.Fatal(err)
	}
	l.Start("public", "a")
	now = now.Add(2 * time.Second)
	l.Rows("public", "a", 10, true)
	l.Rows("public", "b", 4, false)
	l.Rows("public", "nope", 4, false) // not in the run: ignored
	if err := p.Update(l.Snapshot(), now); err != nil {
		t.Fatal(err)
	}
	l.Finish(errors.New("boom"))
	if err := p.Done(l.Snapshot(), now); err != nil {
		t.Fatal(err)
	}
	want := "sync of connection prod running: 2 tables\npublic.a: complete, 10 rows\npublic.b: running\npublic.b: failed after 4 rows\nsync of connection prod failed: 1/2 tables, 14 rows in 2s\n"
	if got := out.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if err := Outcome(l.Snapshot(), ""); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("outcome: %v", err)
	}
}
