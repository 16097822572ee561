package jsrunner

import (
	"context"

	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// Host returns the transformers.JavaScriptHost of r (for
// Registry.RunJavaScriptIn): every JavaScript transformer the registry
// builds is evaluated in a child of r, started on its first call, not at
// Build (which also serves validation), and killed when ctx ends (the
// worker's or CLI's lifetime). Unlike Build, a prepared transformer takes
// no slot of Config.MaxProcesses: a table's converters each hold a child
// for the table's whole copy, so waiting for a slot another table holds
// could deadlock; the number of children is bounded by the callers
// instead (activities × converters × JavaScript columns).
func (r *Runner) Host(ctx context.Context) transformers.JavaScriptHost { return host{r: r, ctx: ctx} }

type host struct {
	r   *Runner
	ctx context.Context
}

// PrepareJavaScript implements transformers.JavaScriptHost.
func (h host) PrepareJavaScript(source string, params map[string]any, o transformers.Options) transformers.JavaScriptProcess {
	return h.r.newTransformer(h.ctx, source, params, o)
}
