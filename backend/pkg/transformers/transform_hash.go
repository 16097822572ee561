package transformers

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"strconv"
	"time"
)

func hashTransform() *Definition {
	d := transformDef("transform_hash", "Hash", "Replaces a value with the lower-case hex digest of salt followed by the value's text. The output depends only on the input, salt and algorithm, never on the job key.",
		[]DataType{TypeAny}, TypeString, []Param{
			enumParam("algorithm", "The hash function.", "sha256", "sha256", "sha512", "md5"),
			{Name: "salt", Type: ParamString, Description: "Text hashed before the value.", Default: ""},
		}, nil)
	d.NoRand = true // the digest depends on the value and salt alone
	return withAppend(d, func(p Params, _ Options) (AppendFunc, error) {
		var h hash.Hash
		switch p.String("algorithm") {
		case "sha512":
			h = sha512.New()
		case "md5":
			h = md5.New()
		default:
			h = sha256.New()
		}
		salt := p.String("salt")
		var in []byte
		var sum [sha512.Size]byte
		return func(c *Call, dst []byte) ([]byte, bool, any, error) {
			in = append(in[:0], salt...)
			if str, ok := c.text(); ok {
				in = append(in, str...)
			} else {
				in = appendValueText(in, c.Value)
			}
			h.Reset()
			h.Write(in)
			return appendHex(dst, h.Sum(sum[:0])), true, nil, nil
		}, nil
	})
}

// appendValueText appends v's text: strings and bytes as they are, numbers
// in decimal, times in RFC 3339 UTC.
func appendValueText(b []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		return append(b, x...)
	case []byte:
		return append(b, x...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case float64:
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(b, x)
	case time.Time:
		return x.UTC().AppendFormat(b, time.RFC3339Nano)
	case nil:
		return b
	}
	return fmt.Append(b, v)
}
