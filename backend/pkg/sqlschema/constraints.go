package sqlschema

// constraintBuilder accumulates constraint rows from a catalog query into
// one TableConstraints per table.
type constraintBuilder struct {
	byTable map[TableName]*TableConstraints
}

func newConstraintBuilder() *constraintBuilder {
	return &constraintBuilder{byTable: map[TableName]*TableConstraints{}}
}

func (b *constraintBuilder) table(t TableName) *TableConstraints {
	tc, ok := b.byTable[t]
	if !ok {
		tc = &TableConstraints{Table: t}
		b.byTable[t] = tc
	}
	return tc
}

func (b *constraintBuilder) addUnique(t TableName, u UniqueConstraint) {
	tc := b.table(t)
	tc.UniqueConstraints = append(tc.UniqueConstraints, u)
}

func (b *constraintBuilder) addForeignKey(t TableName, fk ForeignKey) {
	tc := b.table(t)
	tc.ForeignKeys = append(tc.ForeignKeys, fk)
}

// result returns the accumulated constraints sorted by table, with foreign
// keys and unique constraints sorted by name.
func (b *constraintBuilder) result() []TableConstraints {
	out := make([]TableConstraints, 0, len(b.byTable))
	for _, tc := range b.byTable {
		out = append(out, *tc)
	}
	sortConstraints(out)
	return out
}
