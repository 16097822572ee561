package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

var marshal = protojson.MarshalOptions{Multiline: true, Indent: "  "}

// Message writes msg in format f; table renders the human form.
func Message(w io.Writer, f Format, msg proto.Message, table func(io.Writer) error) error {
	switch f {
	case JSON:
		return WriteJSON(w, msg)
	case YAML:
		return WriteYAML(w, msg)
	}
	return table(w)
}

// WriteJSON writes msg as indented protojson.
func WriteJSON(w io.Writer, msg proto.Message) error {
	b, err := marshal.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	// protojson randomizes whitespace; re-indent for a stable, diffable output.
	var buf bytes.Buffer
	if err := json.Indent(&buf, compact(b), "", "  "); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err = w.Write(buf.Bytes())
	return err
}

func compact(b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return b
	}
	return buf.Bytes()
}

// WriteYAML writes msg as the YAML form of its protojson encoding, keeping
// field order; converting it back to JSON gives protojson input again.
func WriteYAML(w io.Writer, msg proto.Message) error {
	b, err := protojson.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	blockStyle(&doc)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	return enc.Close()
}

// blockStyle drops the JSON flow style so the YAML reads as YAML; strings
// that would otherwise read as numbers or booleans stay quoted.
func blockStyle(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode {
		if n.Tag == "!!str" {
			n.Style = 0
		}
	} else {
		n.Style = 0
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// YAMLToJSON converts YAML written by WriteYAML back to JSON, for reading
// it with protojson.Unmarshal.
func YAMLToJSON(b []byte) ([]byte, error) {
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}
