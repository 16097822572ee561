package transformers

// remapDefinitions returns the bijective key remaps and scramblers. Each is a
// keyed permutation (package fpe): distinct inputs give distinct outputs,
// and under one job key (consistent mode) a value maps the same way in every
// table, so foreign keys keep matching their remapped primary keys.
func remapDefinitions() []*Definition {
	return []*Definition{
		identityScrambleDef(),
		uuidRemapDef(),
		characterScrambleDef(),
	}
}
