package transformers

// remapDefinitions returns the bijective key remaps and scramblers.
func remapDefinitions() []*Definition { return nil }
