package usage

import (
	"testing"
	"time"
)

func TestDateRange(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name          string
		f             flags
		from, to, err string
	}{
		{name: "last 30 days", f: flags{days: 30}, from: "2026-11-05", to: "2026-12-04"},
		{name: "one day", f: flags{days: 1}, from: "2026-12-04", to: "2026-12-04"},
		{name: "days before --to", f: flags{days: 7, to: "2026-03-02"}, from: "2026-02-24", to: "2026-03-02"},
		{name: "explicit", f: flags{days: 30, from: "2026-01-01", to: "2026-01-31"}, from: "2026-01-01", to: "2026-01-31"},
		{name: "from to today", f: flags{from: "2026-12-01"}, from: "2026-12-01", to: "2026-12-04"},
		{name: "no days", f: flags{days: 0}, err: "--days must be at least 1, got 0"},
		{name: "bad to", f: flags{days: 3, to: "soon"}, err: `--to must be a day as YYYY-MM-DD, got "soon"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			from, to, err := tc.f.dateRange(today)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || from != tc.from || to != tc.to {
				t.Fatalf("range = %s..%s, %v; want %s..%s", from, to, err, tc.from, tc.to)
			}
		})
	}
}
