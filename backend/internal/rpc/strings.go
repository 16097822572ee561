package rpc

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/neosyncio/neosync/backend/internal/domain"
)

// checkStrings refuses a request with a NUL byte or invalid UTF-8 in any
// string (names, identifiers, clauses, configuration values): Postgres
// cannot store either, so without this check they would surface as an
// internal error from the store instead of a message naming the field.
func checkStrings(msg any) error {
	m, ok := msg.(proto.Message)
	if !ok {
		return nil
	}
	return walkStrings(m.ProtoReflect(), "")
}

func walkStrings(m protoreflect.Message, prefix string) error {
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		path := prefix + string(fd.Name())
		switch {
		case fd.IsList():
			l := v.List()
			for i := 0; i < l.Len() && err == nil; i++ {
				err = checkValue(fd, l.Get(i), fmt.Sprintf("%s[%d]", path, i))
			}
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				key := k.String()
				if e := badString(key); e != "" {
					err = domain.Invalid(path, "a key %s", e)
					return false
				}
				err = checkValue(fd.MapValue(), mv, path+"."+key)
				return err == nil
			})
		default:
			err = checkValue(fd, v, path)
		}
		return err == nil
	})
	return err
}

func checkValue(fd protoreflect.FieldDescriptor, v protoreflect.Value, path string) error {
	switch fd.Kind() {
	case protoreflect.StringKind:
		if e := badString(v.String()); e != "" {
			return domain.Invalid(path, "%s", e)
		}
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return walkStrings(v.Message(), path+".")
	}
	return nil
}

func badString(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "contains a NUL byte"
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	}
	return ""
}
