package syncplan

// Bijective lists the transformers that map distinct inputs to distinct
// outputs (under one key), so a column under a UNIQUE or PRIMARY KEY
// constraint stays unique after the copy.
var Bijective = []string{Passthrough, "transform_identity_scramble", "transform_uuid", "transform_character_scramble", "transform_hash"}

// uniqueWarnings warns when a transformer that may repeat values is mapped
// to a single-column unique key: the copy would then fail on that
// constraint (or, without it in the destination, silently duplicate keys).
// A column that already has a problem is not warned about.
func (b *builder) uniqueWarnings() {
	bad := map[Finding]bool{}
	for _, p := range b.probs {
		bad[Finding{Table: p.Table, Column: p.Column}] = true
	}
	for _, t := range b.plan.Tables {
		keys := [][]string{}
		if len(t.PrimaryKey) == 1 {
			keys = append(keys, t.PrimaryKey)
		}
		for _, u := range t.Uniques {
			if len(u.Columns) == 1 {
				keys = append(keys, u.Columns)
			}
		}
		for _, k := range keys {
			c := t.Column(k[0])
			if c == nil || c.Action != ActionTransform || c.Transformer == nil || contains(Bijective, c.Transformer.Source) ||
				bad[Finding{Table: t.Name, Column: c.Name}] {
				continue
			}
			b.warnColumn(t.Name, c.Name, "%s.%s is unique but %s may map two values to one; a collision fails the copy (bijective choices: %s)",
				t.Name, c.Name, c.Transformer.Source, "transform_identity_scramble, transform_uuid, transform_character_scramble")
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
