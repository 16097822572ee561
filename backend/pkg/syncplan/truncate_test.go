package syncplan

import (
	"reflect"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

func TestTruncateReach(t *testing.T) {
	t.Parallel()
	ref := func(child, name, parent string) Reference {
		return Reference{Child: tn(child), Name: name, Parent: tn(parent)}
	}
	refs := []Reference{
		ref("items", "items_order", "orders"), // listed before its parent is reached
		ref("orders", "orders_customer", "customers"),
		ref("notes", "notes_customer", "customers"),
		ref("customers", "customers_region", "regions"), // a parent of the set: not reached
		ref("audit", "audit_self", "audit"),
		ref("customers", "customers_self", "customers"),
	}
	for _, tc := range []struct {
		name string
		set  []string
		want []Reference
	}{
		{"transitive", []string{"customers"}, []Reference{refs[1], refs[2], refs[0]}},
		{"children in the set", []string{"customers", "orders", "items", "notes"}, nil},
		{"nothing references it", []string{"audit"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			set := map[sqlschema.TableName]bool{}
			for _, s := range tc.set {
				set[tn(s)] = true
			}
			if got := TruncateReach(refs, set); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("TruncateReach(%v) = %v, want %v", tc.set, got, tc.want)
			}
		})
	}
	if got := ReachedTables([]Reference{refs[1], refs[0], refs[1]}); !reflect.DeepEqual(got, []sqlschema.TableName{tn("orders"), tn("items")}) {
		t.Fatalf("ReachedTables: %v", got)
	}
	if s := refs[1].String(); s != "app.orders (foreign key orders_customer to app.customers)" {
		t.Fatalf("String: %q", s)
	}
}
