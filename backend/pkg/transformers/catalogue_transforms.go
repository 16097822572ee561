package transformers

// transformDefinitions returns the transform_* transformers that map an input value.
func transformDefinitions() []*Definition { return nil }
