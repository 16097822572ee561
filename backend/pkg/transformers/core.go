package transformers

// columnDefault is the type of UseColumnDefault.
type columnDefault struct{}

// UseColumnDefault is returned by generate_default: writers omit the column
// so the destination's DEFAULT applies.
var UseColumnDefault any = columnDefault{}

// IsColumnDefault reports whether v asks for the column's default.
func IsColumnDefault(v any) bool { _, ok := v.(columnDefault); return ok }

var allJobTypes = []JobType{JobSync, JobGenerate}

// coreDefinitions are the transformers that do not change data.
func coreDefinitions() []*Definition {
	return []*Definition{
		{
			Source: "passthrough", Name: "Passthrough", Description: "Copies the value unchanged.",
			InputTypes: []DataType{TypeAny}, Output: TypeAny, JobTypes: []JobType{JobSync}, Consistent: true, HandlesNull: true, NoRand: true,
			Build: func(Params, Options) (Func, error) { return func(c *Call) (any, error) { return c.Value, nil }, nil },
		},
		{
			Source: "generate_null", Name: "Null", Description: "Writes NULL.",
			Output: TypeNull, JobTypes: allJobTypes, Generator: true, Consistent: true, NoRand: true,
			Build: func(Params, Options) (Func, error) { return func(*Call) (any, error) { return nil, nil }, nil },
		},
		{
			Source: "generate_default", Name: "Column default", Description: "Leaves the column out so the destination's DEFAULT applies.",
			Output: TypeAny, JobTypes: allJobTypes, Generator: true, Consistent: true, NoRand: true,
			Build: func(Params, Options) (Func, error) {
				return func(*Call) (any, error) { return UseColumnDefault, nil }, nil
			},
		},
	}
}
