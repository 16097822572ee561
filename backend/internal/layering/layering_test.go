package layering

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRepositoryLayering checks Rules against the workspace as it is.
func TestRepositoryLayering(t *testing.T) {
	t.Parallel()
	pkgs := listWorkspace(t)
	if len(pkgs) < 50 {
		t.Fatalf("go list found %d packages: the workspace was not listed", len(pkgs))
	}
	for _, v := range Check(pkgs, Rules) {
		t.Errorf("%s", v)
	}
}

// listWorkspace runs `go list -deps -json` over the three modules from the
// root of the workspace (the folder of go.work).
func listWorkspace(t *testing.T) []Package {
	t.Helper()
	gowork, err := exec.Command("go", "env", "GOWORK").Output()
	if err != nil || strings.TrimSpace(string(gowork)) == "" {
		t.Fatalf("go env GOWORK: %v (the test runs inside the repository's workspace)", err)
	}
	cmd := exec.Command("go", "list", "-e", "-deps",
		"-json=ImportPath,DepOnly,Imports,TestImports,XTestImports,Error",
		"./backend/...", "./worker/...", "./cli/...")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gowork)))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			Package
			Error *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Error != nil {
			t.Errorf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p.Package)
	}
	return pkgs
}
