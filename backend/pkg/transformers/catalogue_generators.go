package transformers

// generatorDefinitions returns the generate_* transformers.
func generatorDefinitions() []*Definition { return nil }
