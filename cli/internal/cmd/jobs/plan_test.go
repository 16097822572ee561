package jobs

import (
	"bytes"
	"strings"
	"testing"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// TestWritePlanWarningsOnce: the API's plan text already ends with its
// warnings; they were printed a second time as "warning: …" lines.
func TestWritePlanWarningsOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		text     string
		warnings []string
		want     []string
	}{
		{
			name:     "warnings in the text",
			text:     "Tables in write order:\n  public.users\nWarnings:\n  - public.users.email has no mapping: it is copied unchanged\n",
			warnings: []string{"public.users.email has no mapping: it is copied unchanged"},
			want:     []string{"Plan of job nightly:", "  - public.users.email has no mapping"},
		},
		{
			name:     "a warning the text lacks",
			text:     "Tables in write order:\n  public.users",
			warnings: []string{"the source server does not report its identity"},
			want:     []string{"  public.users\n", "warning: the source server does not report its identity"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := writePlan(&b, "nightly", &mgmtv1alpha1.GetJobPlanResponse{Text: tc.text, Warnings: tc.warnings}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.warnings {
				if n := strings.Count(out, w); n != 1 {
					t.Errorf("warning %q printed %d times:\n%s", w, n, out)
				}
			}
		})
	}
}
