// Package transformers implements `neosync transformers`: list the system
// catalogue and the account's user-defined transformers, show one with its
// parameters, preview one on sample values, and create, update and delete
// user-defined transformers (TransformersService). Parameters are checked by
// the API, which names the one at fault.
package transformers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/apiclient"
	"github.com/neosyncio/neosync/cli/internal/exitcode"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

// NewCommand returns the transformers command group.
func NewCommand(s *session.Session) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "transformers",
		Short: "List, inspect, preview and save transformers",
		Example: `  neosync transformers list
  neosync transformers get transform_email
  neosync transformers preview transform_email --value alice@example.com --config preserve_domain=true
  neosync transformers create shout --file shout.js`,
	}
	cmd.AddCommand(newListCommand(s), newGetCommand(s), newPreviewCommand(s),
		newCreateCommand(s), newUpdateCommand(s), newDeleteCommand(s))
	return cmd
}

type listFlags struct{ format output.Format }

func newListCommand(s *session.Session) *cobra.Command {
	f := &listFlags{}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the system transformers and the account's user-defined ones",
		Example: `  neosync transformers list
  neosync transformers list -o json | jq -r '.system[].source'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runList(cmd.Context(), s, f) },
	}
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runList(ctx context.Context, s *session.Session, f *listFlags) error {
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	sys, err := c.Transformers.GetSystemTransformers(ctx, connect.NewRequest(&mgmtv1alpha1.GetSystemTransformersRequest{}))
	if err != nil {
		return err
	}
	udts, err := c.Transformers.GetUserDefinedTransformers(ctx, connect.NewRequest(&mgmtv1alpha1.GetUserDefinedTransformersRequest{AccountId: acct.GetId()}))
	if err != nil {
		return err
	}
	all, err := combined(sys.Msg, udts.Msg)
	if err != nil {
		return err
	}
	return output.Message(s.Out, f.format, all, func(w io.Writer) error {
		t := output.NewTable("source", "kind", "output", "description")
		for _, tr := range sys.Msg.GetTransformers() {
			kind := "transform"
			if tr.GetIsGenerator() {
				kind = "generate"
			}
			t.Row(tr.GetSource(), kind, tr.GetOutputDataType(), firstSentence(tr.GetDescription()))
		}
		for _, u := range udts.Msg.GetTransformers() {
			t.Row(u.GetName(), "user-defined", "", u.GetSource()+": "+firstSentence(u.GetDescription()))
		}
		return t.Render(w)
	})
}

// combined is the -o json|yaml answer of list: {"system": [...],
// "userDefined": [...]}, each as the API returns it.
func combined(sys *mgmtv1alpha1.GetSystemTransformersResponse, udts *mgmtv1alpha1.GetUserDefinedTransformersResponse) (*structpb.Struct, error) {
	out := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	for key, msg := range map[string]proto.Message{"system": sys, "userDefined": udts} {
		b, err := protojson.Marshal(msg)
		if err != nil {
			return nil, err
		}
		var part structpb.Struct
		if err := part.UnmarshalJSON(b); err != nil {
			return nil, err
		}
		list := part.GetFields()["transformers"]
		if list == nil {
			list = structpb.NewListValue(&structpb.ListValue{})
		}
		out.Fields[key] = list
	}
	return out, nil
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

type getFlags struct{ format output.Format }

func newGetCommand(s *session.Session) *cobra.Command {
	f := &getFlags{}
	cmd := &cobra.Command{
		Use:   "get SOURCE_OR_NAME",
		Short: "Show a transformer and its parameters (a system source or a user-defined name or id)",
		Example: `  neosync transformers get transform_email
  neosync transformers get my-masked-phone -o yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runGet(cmd.Context(), s, f, args[0]) },
	}
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runGet(ctx context.Context, s *session.Session, f *getFlags, nameOrSource string) error {
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	sys, udt, err := find(ctx, c, acct.GetId(), nameOrSource)
	if err != nil {
		return err
	}
	if udt != nil {
		return output.Message(s.Out, f.format, udt, func(w io.Writer) error {
			cfg, _ := udt.GetConfig().MarshalJSON()
			return output.Fields(w, output.Field{Label: "Name", Value: udt.GetName()}, output.Field{Label: "ID", Value: udt.GetId()},
				output.Field{Label: "Source", Value: udt.GetSource()}, output.Field{Label: "Description", Value: udt.GetDescription()},
				output.Field{Label: "Config", Value: string(cfg)})
		})
	}
	return output.Message(s.Out, f.format, sys, func(w io.Writer) error {
		if err := output.Fields(w, output.Field{Label: "Source", Value: sys.GetSource()}, output.Field{Label: "Name", Value: sys.GetName()},
			output.Field{Label: "Description", Value: sys.GetDescription()}, output.Field{Label: "Input types", Value: strings.Join(sys.GetInputDataTypes(), ", ")},
			output.Field{Label: "Output type", Value: sys.GetOutputDataType()}); err != nil {
			return err
		}
		if len(sys.GetParameters()) == 0 {
			return nil
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
		t := output.NewTable("parameter", "type", "default", "allowed", "description")
		for _, p := range sys.GetParameters() {
			def := ""
			if p.GetDefaultValue() != nil {
				b, _ := p.GetDefaultValue().MarshalJSON()
				def = string(b)
			}
			desc := p.GetDescription()
			if c := p.GetAppliesWhen(); c != nil {
				desc = fmt.Sprintf("(only when %s is %s) %s", c.GetParameter(), strings.Join(c.GetValues(), " or "), desc)
			}
			t.Row(p.GetName(), p.GetType(), def, strings.Join(p.GetAllowedValues(), "|"), desc)
		}
		return t.Render(w)
	})
}

// find resolves a system source, or a user-defined transformer by name or id.
func find(ctx context.Context, c *apiclient.Client, accountID, nameOrSource string) (*mgmtv1alpha1.SystemTransformer, *mgmtv1alpha1.UserDefinedTransformer, error) {
	udts, err := c.Transformers.GetUserDefinedTransformers(ctx, connect.NewRequest(&mgmtv1alpha1.GetUserDefinedTransformersRequest{AccountId: accountID}))
	if err != nil {
		return nil, nil, err
	}
	for _, u := range udts.Msg.GetTransformers() {
		if u.GetName() == nameOrSource || u.GetId() == nameOrSource {
			return nil, u, nil
		}
	}
	sys, err := c.Transformers.GetSystemTransformerBySource(ctx, connect.NewRequest(&mgmtv1alpha1.GetSystemTransformerBySourceRequest{Source: nameOrSource}))
	if connect.CodeOf(err) == connect.CodeNotFound || connect.CodeOf(err) == connect.CodeInvalidArgument {
		return nil, nil, exitcode.NotFound(fmt.Errorf("no transformer %q: not a system source nor a user-defined transformer of this account (see neosync transformers list)", nameOrSource))
	}
	if err != nil {
		return nil, nil, err
	}
	return sys.Msg.GetTransformer(), nil, nil
}

type previewFlags struct {
	values []string
	config []string
	format output.Format
}

func newPreviewCommand(s *session.Session) *cobra.Command {
	f := &previewFlags{}
	cmd := &cobra.Command{
		Use:   "preview SOURCE_OR_NAME --value V [--value V …] [--config KEY=VALUE …]",
		Short: "Run a transformer on sample values (nothing is stored)",
		Long: `Run a transformer on sample values through the API, as a job would. A
user-defined transformer uses its saved configuration; --config adds to or
overrides it (values are read as JSON when they parse, else as text).`,
		Example: `  neosync transformers preview transform_email --value alice@example.com --config preserve_domain=true
  neosync transformers preview my-masked-phone --value "+1 415 555 0100" -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runPreview(cmd.Context(), s, f, args[0]) },
	}
	cmd.Flags().StringArrayVar(&f.values, "value", nil, "a sample value (repeat for several)")
	cmd.Flags().StringArrayVar(&f.config, "config", nil, "a parameter as KEY=VALUE (repeat for several)")
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runPreview(ctx context.Context, s *session.Session, f *previewFlags, nameOrSource string) error {
	if len(f.values) == 0 {
		return exitcode.Usage(errors.New("give at least one --value"))
	}
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	sys, udt, err := find(ctx, c, acct.GetId(), nameOrSource)
	if err != nil {
		return err
	}
	source, cfg := sys.GetSource(), map[string]any{}
	if udt != nil {
		source, cfg = udt.GetSource(), udt.GetConfig().AsMap()
	}
	for _, kv := range f.config {
		k, v, err := keyValue(kv)
		if err != nil {
			return err
		}
		cfg[k] = v
	}
	st, err := structpb.NewStruct(cfg)
	if err != nil {
		return exitcode.Usage(fmt.Errorf("--config: %w", err))
	}
	req := &mgmtv1alpha1.PreviewTransformerRequest{AccountId: acct.GetId(), Source: source, Config: st}
	for _, v := range f.values {
		req.SampleValues = append(req.SampleValues, structpb.NewStringValue(v))
	}
	resp, err := c.Transformers.PreviewTransformer(ctx, connect.NewRequest(req))
	if err != nil {
		return err
	}
	return output.Message(s.Out, f.format, resp.Msg, func(w io.Writer) error {
		t := output.NewTable("input", "output")
		for i, v := range f.values {
			out := ""
			if i < len(resp.Msg.GetErrors()) && resp.Msg.GetErrors()[i] != "" {
				out = "error: " + resp.Msg.GetErrors()[i]
			} else if i < len(resp.Msg.GetOutputs()) {
				b, _ := resp.Msg.GetOutputs()[i].MarshalJSON()
				out = string(b)
			}
			t.Row(v, out)
		}
		return t.Render(w)
	})
}

// parseValue reads a --config value as JSON when it parses (true, 3,
// "x", [1]) and as text otherwise.
func parseValue(s string) any {
	var v structpb.Value
	if err := v.UnmarshalJSON([]byte(s)); err == nil {
		return v.AsInterface()
	}
	return s
}
