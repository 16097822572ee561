package transformers

// javascriptDefinitions returns the JavaScript transformers, which run in
// the sandbox of package jsvm; they can call the other system transformers
// through r, which is only read inside Build (NewRegistry is still filling
// it when this runs). See javascript.go.
func javascriptDefinitions(r *Registry) []*Definition { return jsDefinitions(r) }
