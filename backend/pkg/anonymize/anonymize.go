// Package anonymize applies transformers to JSON documents: jq-style paths
// (compiled with gojq) select values and map them to transformers, and
// default transformers per JSON type handle every value no path selected.
//
// It serves the AnonymizationService (anonymize data outside a job) and is
// pure: transformer instances come from the caller's registry, no I/O.
// An Anonymizer is not safe for concurrent use, like the instances it holds.
package anonymize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/itchyny/gojq"
)

// Transformer is the part of a transformers.Instance this package needs.
type Transformer interface {
	Transform(value any, row map[string]any) (any, error)
}

// Mapping sends every value the jq Expression selects through Transformer.
type Mapping struct {
	Expression  string
	Transformer Transformer
}

// Defaults transform values of each JSON type that no mapping selected; a
// nil transformer leaves those values unchanged.
type Defaults struct {
	String, Number, Boolean Transformer
}

// PathError is an invalid jq path expression.
type PathError struct {
	Index      int
	Expression string
	Reason     string
}

// Error describes the problem for people.
func (e *PathError) Error() string {
	return fmt.Sprintf("transformer_mappings[%d].expression %q: %s", e.Index, e.Expression, e.Reason)
}

// MaxPathsPerExpression bounds how many values one expression may select in
// one document, so a runaway expression (e.g. repeat) fails instead of
// consuming the server.
const MaxPathsPerExpression = 100_000

type compiled struct {
	code *gojq.Code
	tr   Transformer
	expr string
}

// Anonymizer applies compiled mappings to documents.
type Anonymizer struct {
	mappings []compiled
	defaults Defaults
}

// New compiles every mapping's expression as path(EXPR).
func New(mappings []Mapping, defaults Defaults) (*Anonymizer, error) {
	a := &Anonymizer{defaults: defaults}
	for i, m := range mappings {
		if strings.TrimSpace(m.Expression) == "" {
			return nil, &PathError{i, m.Expression, "is empty"}
		}
		q, err := gojq.Parse("path(" + m.Expression + ")")
		if err != nil {
			return nil, &PathError{i, m.Expression, err.Error()}
		}
		code, err := gojq.Compile(q)
		if err != nil {
			return nil, &PathError{i, m.Expression, err.Error()}
		}
		a.mappings = append(a.mappings, compiled{code: code, tr: m.Transformer, expr: m.Expression})
	}
	return a, nil
}

// Anonymize transforms one JSON document and returns it re-encoded.
func (a *Anonymizer) Anonymize(input string) (string, error) {
	doc, err := decode(input)
	if err != nil {
		return "", fmt.Errorf("input is not valid JSON: %w", err)
	}
	covered := map[string]bool{}
	for _, m := range a.mappings {
		iter := m.code.Run(doc)
		var paths [][]any
		for {
			v, ok := iter.Next()
			if !ok {
				break
			}
			if err, isErr := v.(error); isErr {
				return "", fmt.Errorf("expression %q: %w", m.expr, err)
			}
			p, ok := v.([]any)
			if !ok {
				return "", fmt.Errorf("expression %q did not yield a path", m.expr)
			}
			paths = append(paths, p)
			if len(paths) > MaxPathsPerExpression {
				return "", fmt.Errorf("expression %q selects more than %d values", m.expr, MaxPathsPerExpression)
			}
		}
		for _, p := range paths {
			key := pathKey(p)
			if covered[key] {
				continue
			}
			covered[key] = true
			cur, err := getPath(doc, p)
			if err != nil {
				return "", fmt.Errorf("expression %q: %w", m.expr, err)
			}
			if cur == nil {
				continue // null or absent: nothing to anonymize, and no key is created
			}
			out, err := m.tr.Transform(toTransformerValue(cur), nil)
			if err != nil {
				return "", fmt.Errorf("expression %q: %w", m.expr, err)
			}
			doc, err = setPath(doc, p, fromTransformerValue(out))
			if err != nil {
				return "", fmt.Errorf("expression %q: %w", m.expr, err)
			}
		}
	}
	if a.defaults != (Defaults{}) {
		doc, err = a.applyDefaults(doc, nil, covered)
		if err != nil {
			return "", err
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

func (a *Anonymizer) applyDefaults(v any, path []any, covered map[string]bool) (any, error) {
	if len(path) > 0 && covered[pathKey(path)] {
		return v, nil
	}
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			nv, err := a.applyDefaults(child, append(path, k), covered)
			if err != nil {
				return nil, err
			}
			x[k] = nv
		}
		return x, nil
	case []any:
		for i, child := range x {
			nv, err := a.applyDefaults(child, append(path, i), covered)
			if err != nil {
				return nil, err
			}
			x[i] = nv
		}
		return x, nil
	}
	var tr Transformer
	switch v.(type) {
	case string:
		tr = a.defaults.String
	case bool:
		tr = a.defaults.Boolean
	case int, float64, *big.Int:
		tr = a.defaults.Number
	}
	if tr == nil {
		return v, nil
	}
	out, err := tr.Transform(toTransformerValue(v), nil)
	if err != nil {
		return nil, fmt.Errorf("default transformer at %s: %w", pathKey(path), err)
	}
	return fromTransformerValue(out), nil
}

// decode parses JSON keeping integers exact (gojq accepts int and *big.Int).
func decode(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the document")
	}
	return normalize(v), nil
}

func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			x[k] = normalize(c)
		}
	case []any:
		for i, c := range x {
			x[i] = normalize(c)
		}
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			if i >= math.MinInt && i <= math.MaxInt {
				return int(i)
			}
		}
		if bi, ok := new(big.Int).SetString(string(x), 10); ok {
			return bi
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

func toTransformerValue(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case *big.Int:
		return x.String()
	}
	return v
}

func fromTransformerValue(v any) any {
	switch x := v.(type) {
	case int64:
		return int(x)
	case int32:
		return int(x)
	case []byte:
		return string(x)
	}
	return v
}

func pathKey(p []any) string {
	b, _ := json.Marshal(p)
	return string(b)
}

func getPath(v any, p []any) (any, error) {
	cur := v
	for _, step := range p {
		switch s := step.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, nil
			}
			cur = m[s]
		case int:
			arr, ok := cur.([]any)
			if !ok || s < 0 || s >= len(arr) {
				return nil, nil
			}
			cur = arr[s]
		default:
			return nil, fmt.Errorf("unsupported path step %v (slices are not supported)", step)
		}
	}
	return cur, nil
}

func setPath(root any, p []any, value any) (any, error) {
	if len(p) == 0 {
		return value, nil
	}
	switch s := p[0].(type) {
	case string:
		m, ok := root.(map[string]any)
		if !ok {
			if root != nil {
				return nil, fmt.Errorf("cannot index %T with %q", root, s)
			}
			m = map[string]any{}
		}
		child, err := setPath(m[s], p[1:], value)
		if err != nil {
			return nil, err
		}
		m[s] = child
		return m, nil
	case int:
		arr, ok := root.([]any)
		if !ok || s < 0 || s >= len(arr) {
			return nil, fmt.Errorf("index %d out of range", s)
		}
		child, err := setPath(arr[s], p[1:], value)
		if err != nil {
			return nil, err
		}
		arr[s] = child
		return arr, nil
	}
	return nil, fmt.Errorf("unsupported path step %v", p[0])
}
