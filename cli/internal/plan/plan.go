// Package plan compares the resources declared in a neosync.yaml with what
// the API holds and decides, per resource, whether to create it, update it
// (and which parts), or leave it alone. It is pure: no I/O, so `apply
// --dry-run` and `apply` print the same plan and the diffing is unit tested.
package plan

import (
	"fmt"
	"strings"
)

// Action is what apply does to one resource.
type Action string

// The actions of a plan.
const (
	Create    Action = "create"
	Update    Action = "update"
	Unchanged Action = "unchanged"
)

// Change is one line of a plan.
type Change struct {
	// Kind is "connection" or "job".
	Kind   string
	Name   string
	Action Action
	// Details lists what differs for an update ("schedule", "mappings", …).
	Details []string
}

var (
	symbols = map[Action]string{Create: "+", Update: "~", Unchanged: "="}
	done    = map[Action]string{Create: "created", Update: "updated", Unchanged: "unchanged"}
)

// Line renders the change as one line of a plan ("~ job nightly: update
// (schedule)"), or, when applied is true, of an apply report ("… updated …").
func (c Change) Line(applied bool) string {
	verb := string(c.Action)
	if applied {
		verb = done[c.Action]
	}
	s := fmt.Sprintf("%s %s %s: %s", symbols[c.Action], c.Kind, c.Name, verb)
	if len(c.Details) > 0 {
		s += " (" + strings.Join(c.Details, ", ") + ")"
	}
	return s
}

// Summary counts changes by action: "1 to create, 2 to update, 3 unchanged".
func Summary(changes []Change) (create, update, unchanged int) {
	for _, c := range changes {
		switch c.Action {
		case Create:
			create++
		case Update:
			update++
		default:
			unchanged++
		}
	}
	return create, update, unchanged
}
