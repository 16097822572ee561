package sqlsync

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"
)

// TestDialectPackagesStayApart checks the layout the package documentation
// describes: a dialect package imports neither the other dialect nor the
// engine, and syncdriver imports none of them (the compiler only refuses
// cycles, not a dialect reaching into the other).
func TestDialectPackagesStayApart(t *testing.T) {
	t.Parallel()
	const base = "github.com/neosyncio/neosync/backend/pkg/sqlsync"
	forbidden := map[string][]string{
		"pgsync":     {base, base + "/mysqlsync"},
		"mysqlsync":  {base, base + "/pgsync"},
		"syncdriver": {base, base + "/pgsync", base + "/mysqlsync"},
	}
	for dir, bad := range forbidden {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, f := range files {
			file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range file.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, b := range bad {
					if path == b {
						t.Errorf("%s imports %s", f, path)
					}
				}
			}
		}
	}
}
