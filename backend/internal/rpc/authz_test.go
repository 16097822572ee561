package rpc

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	_ "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// TestEveryProcedureHasARule walks every method of every mgmt.v1alpha1
// service: each one but the worker's must have a row in the authorization
// table, and each row's target fields must exist as strings on the request.
func TestEveryProcedureHasARule(t *testing.T) {
	t.Parallel()
	seen := 0
	protoregistry.GlobalFiles.RangeFilesByPackage("mgmt.v1alpha1", func(fd protoreflect.FileDescriptor) bool {
		for i := 0; i < fd.Services().Len(); i++ {
			svc := fd.Services().Get(i)
			for j := 0; j < svc.Methods().Len(); j++ {
				m := svc.Methods().Get(j)
				proc := "/" + string(svc.FullName()) + "/" + string(m.Name())
				if strings.HasPrefix(proc, "/mgmt.v1alpha1.WorkerService/") {
					continue
				}
				seen++
				r, ok := rules[proc]
				if !ok {
					t.Errorf("%s has no authorization rule", proc)
					continue
				}
				if !r.self && r.perm == "" {
					t.Errorf("%s: a rule that is not self needs a permission", proc)
				}
				for _, f := range r.targets {
					fld := m.Input().Fields().ByName(f.name)
					if fld == nil || fld.Kind() != protoreflect.StringKind {
						t.Errorf("%s: target field %q is not a string field of %s", proc, f.name, m.Input().FullName())
					}
				}
			}
		}
		return true
	})
	if seen != len(rules) {
		t.Errorf("the table has %d rules for %d procedures: remove rules for procedures that are gone", len(rules), seen)
	}
}
