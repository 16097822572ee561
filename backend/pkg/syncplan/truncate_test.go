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

// TestInheritanceReferences: an inheritance link reads as such, a truncate
// follows it to a child outside the set like a foreign key, and
// InheritedWithin names the links with both ends in the set.
func TestInheritanceReferences(t *testing.T) {
	t.Parallel()
	dogs := Reference{Child: tn("dogs"), Parent: tn("animals"), Inherits: true}
	owner := Reference{Child: tn("owners"), Name: "owners_pet", Parent: tn("animals")}
	refs := []Reference{owner, dogs}
	if s := dogs.String(); s != "app.dogs (inherits from app.animals)" {
		t.Fatalf("String: %q", s)
	}
	set := map[sqlschema.TableName]bool{tn("animals"): true}
	if got := TruncateReach(refs, set); !reflect.DeepEqual(got, refs) {
		t.Fatalf("TruncateReach = %v, want both the foreign key and the inheritance link", got)
	}
	if got := InheritedWithin(refs, set); got != nil {
		t.Fatalf("InheritedWithin with the child outside the set = %v", got)
	}
	set[tn("dogs")], set[tn("owners")] = true, true
	if got := InheritedWithin(refs, set); !reflect.DeepEqual(got, []Reference{dogs}) {
		t.Fatalf("InheritedWithin = %v, want the inheritance link only", got)
	}
}
