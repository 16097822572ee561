package sqlsync

import (
	"fmt"
	"slices"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// TestJobPRFVersionReachesTheCopy checks that a job's consistent-mode PRF
// version is the one its copy transforms with: a v1 job writes exactly the
// PRFv1 outputs (a job saved before versions keeps its outputs), a v2 job
// the PRFv2 ones — for the relay's text path (transform_email), a remapped
// key (transform_identity_scramble) and transform_hash's default mode.
func TestJobPRFVersionReachesTheCopy(t *testing.T) {
	t.Parallel()
	src := newPGDB(t)
	src.exec(t, `CREATE TABLE public.u (id bigint PRIMARY KEY, email text NOT NULL, ssn text NOT NULL)`,
		`INSERT INTO public.u SELECT g, 'user' || g || '@example.com', lpad(g::text, 9, '0') FROM generate_series(1, 50) g`)
	key := []byte("prf job key")
	mappings := []syncplan.Mapping{
		{Schema: "public", Table: "u", Column: "id", Transformer: syncplan.Transformer{Source: "transform_identity_scramble", Params: map[string]any{"min": 1, "max": 1000}}},
		{Schema: "public", Table: "u", Column: "email", Transformer: syncplan.Transformer{Source: "transform_email"}},
		{Schema: "public", Table: "u", Column: "ssn", Transformer: syncplan.Transformer{Source: "transform_hash"}},
	}
	want := func(prf transformers.PRFVersion) []string {
		build := func(source string, params map[string]any) *transformers.Instance {
			in, err := registry.Build(source, params, transformers.Options{Key: key, PRF: prf})
			if err != nil {
				t.Fatal(err)
			}
			return in
		}
		id, email, ssn := build("transform_identity_scramble", map[string]any{"min": 1, "max": 1000}), build("transform_email", nil), build("transform_hash", nil)
		var out []string
		for g := int64(1); g <= 50; g++ {
			i, _ := id.Transform(g, nil)
			e, _ := email.Transform(fmt.Sprintf("user%d@example.com", g), nil)
			s, _ := ssn.Transform(fmt.Sprintf("%09d", g), nil)
			out = append(out, fmt.Sprintf("%v|%v|%v", i, e, s))
		}
		return sortedStrings(out)
	}
	got := map[transformers.PRFVersion][]string{}
	for _, prf := range []transformers.PRFVersion{transformers.PRFv1, transformers.PRFv2} {
		dst := newPGDB(t)
		job := syncplan.Job{Source: src.cfg, Key: key, PRF: prf, Mappings: mappings,
			Destinations: []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{InitSchema: true}}}}
		if _, _, err := newTestEngine().Run(testCtx(t), job, nil); err != nil {
			t.Fatalf("%v: Run: %v", prf, err)
		}
		got[prf] = dst.rows(t, `SELECT id || '|' || email || '|' || ssn FROM public.u`)
		if w := want(prf); fmt.Sprint(got[prf]) != fmt.Sprint(w) {
			t.Errorf("%v job wrote\n%v\nwant the %v outputs\n%v", prf, got[prf][:3], prf, w[:3])
		}
	}
	if fmt.Sprint(got[transformers.PRFv1]) == fmt.Sprint(got[transformers.PRFv2]) {
		t.Error("v1 and v2 jobs wrote the same rows")
	}
}

// sortedStrings returns s sorted, as pgDB.rows returns rows.
func sortedStrings(s []string) []string {
	slices.Sort(s)
	return s
}
