package runlog

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	t.Parallel()
	msg, attrs := Clean("copy of public.users done", map[string]string{
		"table": "public.users", "db_password": "hunter2", "API_KEY": "neo_ak_x", "Authorization": "Bearer x", "rows": "10",
	})
	want := map[string]string{"table": "public.users", "db_password": Mask, "API_KEY": Mask, "Authorization": Mask, "rows": "10"}
	if msg != "copy of public.users done" || len(attrs) != len(want) {
		t.Fatalf("Clean = %q %v", msg, attrs)
	}
	for k, v := range want {
		if attrs[k] != v {
			t.Errorf("%s = %q, want %q", k, attrs[k], v)
		}
	}
	long, _ := Clean(strings.Repeat("é", MaxMessage), nil)
	if len(long) > MaxMessage+len("…") || !strings.HasSuffix(long, "…") || !strings.HasPrefix(long, "é") {
		t.Errorf("a long message is cut to %d bytes", len(long))
	}
	bad, _ := Clean("a\xffb", nil)
	if bad != "a\uFFFDb" {
		t.Errorf("invalid UTF-8 kept: %q", bad)
	}
}

func TestLevel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"INFO": "info", "warning": "warn", "error": "error", "debug": "debug", "trace": ""} {
		got, ok := Level(in)
		if got != want || ok != (want != "") {
			t.Errorf("Level(%q) = %q, %v", in, got, ok)
		}
	}
}
