package transformers

import "strconv"

func emailGenerator() *Definition {
	const src = "generate_email"
	return genDef(src, "Generate email", "Generates a realistic email address that fits the column, shortening the local part when needed.",
		TypeString, []Param{enumParam("email_type", "Local part: a name such as john.smith (full_name) or a hyphenless UUID v4 (uuid_v4).", "full_name", "full_name", "uuid_v4")},
		func(p Params, _ Options) (Func, error) {
			uuidLocal := p.String("email_type") == "uuid_v4"
			var e emailBuilder
			return func(c *Call) (any, error) {
				if c.MaxLength > 0 && c.MaxLength < minEmailLen {
					return nil, valueErr(src, c, "column holds "+strconv.Itoa(c.MaxLength)+" characters, too few for an email address")
				}
				return e.build(c.Rand, c.MaxLength, uuidLocal), nil
			}, nil
		})
}
