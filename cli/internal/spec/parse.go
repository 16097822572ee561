package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// LookupEnv reads an environment variable (os.LookupEnv outside tests).
type LookupEnv func(string) (string, bool)

// Parse reads a neosync.yaml document. name is used in messages and, when it
// is a path, to resolve TLS *_file entries. The result is validated.
func Parse(name string, data []byte, env LookupEnv) (*File, error) {
	var f File
	if err := decode(name, data, env, reflect.TypeOf(f), &f); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := f.readFiles(filepath.Dir(name)); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &f, nil
}

// ParseJob reads a document describing a single job (the shape of one
// entry of a neosync.yaml's jobs list).
func ParseJob(name string, data []byte, env LookupEnv) (*Job, error) {
	var j Job
	if err := decode(name, data, env, reflect.TypeOf(j), &j); err != nil {
		return nil, err
	}
	if err := j.validate("job"); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &j, nil
}

// Read returns the content of path, or of stdin when path is "-".
func Read(path string, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("read stdin: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, unwrapPathError(err))
	}
	return b, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func decode(name string, data []byte, env LookupEnv, t reflect.Type, out any) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %s", name, yamlMessage(err))
	}
	if len(doc.Content) == 0 {
		return fmt.Errorf("%s: the document is empty", name)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: line %d: the document must be a mapping (keys like name:, connections:, jobs:)", name, root.Line)
	}
	if err := expandNode(root, env); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := checkKnown(root, t); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := root.Decode(out); err != nil {
		return fmt.Errorf("%s: %s", name, yamlMessage(err))
	}
	return nil
}

// yamlMessage folds a yaml error (which may list several lines) onto one line.
func yamlMessage(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return strings.Join(te.Errors, "; ")
	}
	return strings.ReplaceAll(strings.TrimPrefix(err.Error(), "yaml: "), "\n", "; ")
}

var varPattern = regexp.MustCompile(`\$\$\{|\$\{([^}]*)\}`)
var varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Expand replaces ${VAR} and ${VAR:-default} with environment values; $${
// is a literal "${". An unset variable without a default is an error, so a
// missing secret never silently becomes an empty password.
func Expand(s string, env LookupEnv) (string, error) {
	var firstErr error
	out := varPattern.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$${" {
			return "${"
		}
		inner := m[2 : len(m)-1]
		name, def, hasDef := strings.Cut(inner, ":-")
		if !varName.MatchString(name) {
			if firstErr == nil {
				firstErr = fmt.Errorf("%q is not a valid variable reference (want ${NAME} or ${NAME:-default}; write $${ for a literal)", m)
			}
			return m
		}
		v, ok := env(name)
		if (!ok || v == "") && hasDef {
			return def
		}
		if !ok {
			if firstErr == nil {
				firstErr = fmt.Errorf("environment variable %s is not set (referenced as %s)", name, m)
			}
			return m
		}
		return v
	})
	return out, firstErr
}

// expandNode expands variables in every scalar value (never in keys).
func expandNode(n *yaml.Node, env LookupEnv) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "${") {
			return nil
		}
		whole := varPattern.FindString(n.Value) == n.Value && n.Value != "$${"
		v, err := Expand(n.Value, env)
		if err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		n.Value = v
		// A value that is exactly one variable, quoted or not, takes the
		// variable's type (so port: "${PG_PORT}" is a number); anything else
		// is a string. A string field still accepts a number-like value.
		n.Tag = "!!str"
		if whole && looksTyped(v) {
			n.Tag, n.Style = "", 0
		}
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			if err := expandNode(n.Content[i], env); err != nil {
				return err
			}
		}
	default:
		for _, c := range n.Content {
			if err := expandNode(c, env); err != nil {
				return err
			}
		}
	}
	return nil
}

func looksTyped(v string) bool {
	if v == "true" || v == "false" {
		return true
	}
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return true
	}
	_, err := strconv.ParseFloat(v, 64)
	return err == nil
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

// checkKnown rejects keys that no field of t declares, naming the line, so a
// typo (trucate_before_insert) fails instead of being ignored.
func checkKnown(n *yaml.Node, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil // the type checks its own keys
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return nil // the decoder reports the type mismatch
		}
		fields := map[string]reflect.Type{}
		var names []string
		for i := range t.NumField() {
			f := t.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if tag == "" || tag == "-" {
				continue
			}
			fields[tag] = f.Type
			names = append(names, tag)
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			ft, ok := fields[k.Value]
			if !ok {
				return fmt.Errorf("line %d: unknown field %q (expected one of: %s)", k.Line, k.Value, strings.Join(names, ", "))
			}
			if seen[k.Value] {
				return fmt.Errorf("line %d: field %q is set twice", k.Line, k.Value)
			}
			seen[k.Value] = true
			if err := checkKnown(n.Content[i+1], ft); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return nil
		}
		for _, c := range n.Content {
			if err := checkKnown(c, t.Elem()); err != nil {
				return err
			}
		}
	}
	return nil
}

// UnmarshalYAML reads a mapping from column name to transformer, in order.
func (c *ColumnMappings) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: columns must map column names to transformers (e.g. email: transform_email)", n.Line)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			return fmt.Errorf("line %d: column %q is mapped twice", k.Line, k.Value)
		}
		seen[k.Value] = true
		var t Transformer
		if err := v.Decode(&t); err != nil {
			return err
		}
		*c = append(*c, ColumnMapping{Column: k.Value, Transformer: t})
	}
	return nil
}

// UnmarshalYAML accepts a bare transformer name or a {source, config,
// user_defined} mapping.
func (t *Transformer) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		t.Source = n.Value
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch k := n.Content[i]; k.Value {
			case "source", "config", "user_defined":
			default:
				return fmt.Errorf("line %d: unknown field %q in a transformer (expected source, config or user_defined)", k.Line, k.Value)
			}
		}
		type plain Transformer
		var p plain
		if err := n.Decode(&p); err != nil {
			return err
		}
		*t = Transformer(p)
		return nil
	}
	return fmt.Errorf("line %d: a transformer is a name (passthrough) or a mapping with source and config", n.Line)
}

// readFiles replaces TLS *_file entries with the files' PEM content.
func (f *File) readFiles(dir string) error {
	for i := range f.Connections {
		c := &f.Connections[i]
		sql := c.sql()
		if sql != nil && sql.SSHTunnel != nil && sql.SSHTunnel.PrivateKeyFile != "" {
			b, err := readRelative(dir, sql.SSHTunnel.PrivateKeyFile)
			if err != nil {
				return fmt.Errorf("connection %q: %w", c.Name, err)
			}
			sql.SSHTunnel.PrivateKey, sql.SSHTunnel.PrivateKeyFile = b, ""
		}
		if sql == nil || sql.TLS == nil {
			continue
		}
		t := sql.TLS
		for _, p := range []struct {
			file string
			into *string
		}{{t.RootCertFile, &t.RootCert}, {t.ClientCertFile, &t.ClientCert}, {t.ClientKeyFile, &t.ClientKey}} {
			if p.file == "" {
				continue
			}
			b, err := readRelative(dir, p.file)
			if err != nil {
				return fmt.Errorf("connection %q: %w", c.Name, err)
			}
			*p.into = b
		}
		t.RootCertFile, t.ClientCertFile, t.ClientKeyFile = "", "", ""
	}
	return nil
}

// readRelative reads a PEM file named relative to dir (the YAML file's
// folder), trimmed to end in one newline.
func readRelative(dir, path string) (string, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, unwrapPathError(err))
	}
	return string(bytes.TrimSpace(b)) + "\n", nil
}
