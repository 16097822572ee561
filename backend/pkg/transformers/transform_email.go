package transformers

import (
	"strconv"
	"strings"
)

func emailTransform() *Definition {
	const src = "transform_email"
	d := withAppend(transformDef(src, "Transform email", "Replaces an email address with a realistic fake one, optionally keeping its domain or its length. Addresses in excluded domains pass through unchanged.",
		[]DataType{TypeString}, TypeString, []Param{
			boolParam("preserve_domain", "Keep the input's domain.", false),
			boolParam("preserve_length", "Give the output the input's length (local part and domain alike).", false),
			{Name: "excluded_domains", Type: ParamStringList, Description: "Domains whose addresses are copied unchanged (case-insensitive)."},
			enumParam("invalid_email_action", "What to do with a value that is not an email address: reject it (error), write NULL, copy it unchanged, or generate a new address.",
				"reject", "reject", "null", "passthrough", "generate"),
		},
		nil), func(p Params, _ Options) (AppendFunc, error) {
		t := &emailTransformer{
			preserveDomain: p.Bool("preserve_domain"),
			preserveLength: p.Bool("preserve_length"),
			excluded:       p.Strings("excluded_domains"),
			action:         p.String("invalid_email_action"),
		}
		return t.transform, nil
	})
	d.WritesNull = func(p Params) string {
		if p.String("invalid_email_action") == "null" {
			return "with invalid_email_action null it writes NULL for a value that is not an email address"
		}
		return ""
	}
	return d
}

// emailTransformer is one transform_email configuration with scratch space.
type emailTransformer struct {
	preserveDomain, preserveLength bool
	excluded                       []string
	action                         string
	e                              emailBuilder
}

func (t *emailTransformer) transform(c *Call, dst []byte) ([]byte, bool, any, error) {
	const src = "transform_email"
	s, _ := c.text()
	local, domain, ok := splitEmail(s)
	if !ok {
		return t.invalid(c, dst)
	}
	for _, d := range t.excluded {
		if strings.EqualFold(d, domain) {
			return append(dst, s...), true, nil, nil
		}
	}
	maxLen := c.MaxLength
	if maxLen > 0 && maxLen < minEmailLen && (!t.preserveDomain || len(domain)+2 > maxLen) {
		return dst, false, nil, valueErr(src, c, "column holds "+strconv.Itoa(maxLen)+" characters, too few for an email address")
	}
	localLen := -1
	if t.preserveLength {
		localLen = len(local)
	}
	switch {
	case t.preserveDomain:
		if maxLen > 0 && len(domain)+2 > maxLen {
			return dst, false, nil, valueErr(src, c, "the preserved domain does not fit a column of "+strconv.Itoa(maxLen)+" characters")
		}
		t.e.domain = append(t.e.domain[:0], domain...)
	case t.preserveLength && (maxLen <= 0 || len(domain)+2 <= maxLen):
		t.e.domain = appendDomainOfLen(t.e.domain[:0], c.Rand, len(domain))
	case t.preserveLength:
		t.e.domain = appendDomain(t.e.domain[:0], c.Rand, maxLen-2)
	default:
		return t.e.appendBuild(dst, c.Rand, maxLen, false), true, nil, nil
	}
	return t.e.appendWithDomain(dst, c.Rand, maxLen, false, localLen), true, nil, nil
}

// invalid applies invalid_email_action to a value that is not an address.
func (t *emailTransformer) invalid(c *Call, dst []byte) ([]byte, bool, any, error) {
	switch t.action {
	case "null":
		return dst, false, nil, nil
	case "passthrough":
		return dst, false, c.value(), nil
	case "generate":
		if c.MaxLength > 0 && c.MaxLength < minEmailLen {
			return dst, false, nil, valueErr("transform_email", c, "column holds "+strconv.Itoa(c.MaxLength)+" characters, too few for an email address")
		}
		return t.e.appendBuild(dst, c.Rand, c.MaxLength, false), true, nil, nil
	}
	return dst, false, nil, valueErr("transform_email", c, "value is not a valid email address")
}
