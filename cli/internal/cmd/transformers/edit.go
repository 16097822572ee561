package transformers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/types/known/structpb"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
	"github.com/neosyncio/neosync/cli/internal/exitcode"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
	"github.com/neosyncio/neosync/cli/internal/spec"
)

// codeParam is the parameter of the JavaScript transformers that holds
// their source; --file fills it.
const codeParam = "code"

// editFlags are the flags create and update share.
type editFlags struct {
	source      string
	name        string
	description string
	config      []string
	unset       []string
	file        string
	format      output.Format
	// setDescription is whether update was given --description (it may
	// clear it).
	setDescription bool
}

func newCreateCommand(s *session.Session) *cobra.Command {
	f := &editFlags{}
	cmd := &cobra.Command{
		Use:   "create NAME --source SOURCE [--config KEY=VALUE …] [--file CODE.js]",
		Short: "Save a user-defined transformer: a named configuration of a system one",
		Long: `Save a named configuration of a system transformer that job mappings can
use (user_defined: NAME in a job file). The API validates every parameter
and answers with the parameter at fault. --file reads the body of a
JavaScript transformer (transform_javascript, generate_javascript) from a
file, or from stdin with --file -; with --file and no --source the source
is transform_javascript.`,
		Example: `  neosync transformers create masked-phone --source transform_phone_number --config preserve_length=true
  neosync transformers create shout --file shout.js --description "upper-cases a value"
  neosync transformers create order-id --source generate_javascript --file - < order_id.js`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.name = args[0]
			return runCreate(cmd.Context(), s, f)
		},
	}
	cmd.Flags().StringVar(&f.source, "source", "", "the system transformer to configure (see neosync transformers list)")
	cmd.Flags().StringVar(&f.description, "description", "", "what the transformer is for")
	cmd.Flags().StringArrayVar(&f.config, "config", nil, "a parameter as KEY=VALUE (repeat for several; values are read as JSON when they parse)")
	cmd.Flags().StringVar(&f.file, "file", "", "a file holding JavaScript code for the code parameter (- for stdin)")
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runCreate(ctx context.Context, s *session.Session, f *editFlags) error {
	if f.source == "" {
		if f.file == "" {
			return exitcode.Usage(errors.New("give --source SOURCE (see neosync transformers list), or --file CODE.js for a JavaScript transformer"))
		}
		f.source = "transform_javascript"
	}
	cfg := map[string]any{}
	if err := f.apply(s, f.source, cfg); err != nil {
		return err
	}
	st, err := structpb.NewStruct(cfg)
	if err != nil {
		return exitcode.Usage(fmt.Errorf("--config: %w", err))
	}
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	resp, err := c.Transformers.CreateUserDefinedTransformer(ctx, connect.NewRequest(&mgmtv1alpha1.CreateUserDefinedTransformerRequest{
		AccountId: acct.GetId(), Name: f.name, Description: f.description, Source: f.source, Config: st,
	}))
	if err != nil {
		return fmt.Errorf("create transformer %q: %w", f.name, err)
	}
	return output.Message(s.Out, f.format, resp.Msg.GetTransformer(), func(w io.Writer) error {
		u := resp.Msg.GetTransformer()
		_, err := fmt.Fprintf(w, "Created transformer %s (%s, id %s).\n", u.GetName(), u.GetSource(), u.GetId())
		return err
	})
}

// apply sets --file and --config into cfg and removes --unset keys.
func (f *editFlags) apply(s *session.Session, source string, cfg map[string]any) error {
	if f.file != "" {
		if !transformers.IsJavaScript(source) {
			return exitcode.Usage(fmt.Errorf("--file holds JavaScript code, but %s is not a JavaScript transformer", source))
		}
		code, err := spec.Read(f.file, s.In)
		if err != nil {
			return exitcode.Usage(fmt.Errorf("--file: %w", err))
		}
		cfg[codeParam] = string(code)
	}
	for _, kv := range f.config {
		k, v, err := keyValue(kv)
		if err != nil {
			return err
		}
		cfg[k] = v
	}
	for _, k := range f.unset {
		delete(cfg, k)
	}
	return nil
}

func newUpdateCommand(s *session.Session) *cobra.Command {
	f := &editFlags{}
	var rename string
	cmd := &cobra.Command{
		Use:   "update NAME_OR_ID [--name NEW] [--description D] [--config KEY=VALUE …] [--unset KEY …] [--file CODE.js]",
		Short: "Change a user-defined transformer's name, description or parameters",
		Long: `Change a user-defined transformer. Only what the flags name changes:
--config sets a parameter and keeps the others, --unset removes one (it then
takes its default), --file replaces the JavaScript code. The source cannot
change; create a new transformer instead. Jobs that use the transformer
pick up the change on their next run.`,
		Example: `  neosync transformers update masked-phone --config preserve_length=false
  neosync transformers update shout --file shout.js
  neosync transformers update masked-phone --name phone-mask --description "keeps the length"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			changed := cmd.Flags().Changed
			if !changed("name") && !changed("description") && !changed("config") && !changed("unset") && !changed("file") {
				return exitcode.Usage(errors.New("nothing to change: give --name, --description, --config, --unset or --file"))
			}
			f.setDescription = changed("description")
			f.name = rename
			return runUpdate(cmd.Context(), s, f, args[0])
		},
	}
	cmd.Flags().StringVar(&rename, "name", "", "a new name")
	cmd.Flags().StringVar(&f.description, "description", "", "a new description")
	cmd.Flags().StringArrayVar(&f.config, "config", nil, "set a parameter as KEY=VALUE (repeat for several)")
	cmd.Flags().StringArrayVar(&f.unset, "unset", nil, "remove a parameter so it takes its default (repeat for several)")
	cmd.Flags().StringVar(&f.file, "file", "", "a file holding the new JavaScript code (- for stdin)")
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runUpdate(ctx context.Context, s *session.Session, f *editFlags, nameOrID string) error {
	c, err := s.Client()
	if err != nil {
		return err
	}
	cur, err := findUserDefined(ctx, s, nameOrID)
	if err != nil {
		return err
	}
	cfg := cur.GetConfig().AsMap()
	if err := f.apply(s, cur.GetSource(), cfg); err != nil {
		return err
	}
	st, err := structpb.NewStruct(cfg)
	if err != nil {
		return exitcode.Usage(fmt.Errorf("--config: %w", err))
	}
	name, description := cur.GetName(), cur.GetDescription()
	if f.name != "" {
		name = f.name
	}
	if f.setDescription {
		description = f.description
	}
	resp, err := c.Transformers.UpdateUserDefinedTransformer(ctx, connect.NewRequest(&mgmtv1alpha1.UpdateUserDefinedTransformerRequest{
		TransformerId: cur.GetId(), Name: name, Description: description, Config: st,
	}))
	if err != nil {
		return fmt.Errorf("update transformer %q: %w", cur.GetName(), err)
	}
	return output.Message(s.Out, f.format, resp.Msg.GetTransformer(), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Updated transformer %s.\n", resp.Msg.GetTransformer().GetName())
		return err
	})
}

func newDeleteCommand(s *session.Session) *cobra.Command {
	return &cobra.Command{
		Use:     "delete NAME_OR_ID",
		Aliases: []string{"rm"},
		Short:   "Delete a user-defined transformer no job uses",
		Long:    "Delete a user-defined transformer. The API refuses while a job's mappings use it and names those jobs.",
		Example: `  neosync transformers delete masked-phone`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := s.Client()
			if err != nil {
				return err
			}
			u, err := findUserDefined(ctx, s, args[0])
			if err != nil {
				return err
			}
			if _, err := c.Transformers.DeleteUserDefinedTransformer(ctx, connect.NewRequest(&mgmtv1alpha1.DeleteUserDefinedTransformerRequest{TransformerId: u.GetId()})); err != nil {
				return fmt.Errorf("delete transformer %q: %w", u.GetName(), err)
			}
			_, err = fmt.Fprintf(s.Out, "Deleted transformer %s.\n", u.GetName())
			return err
		},
	}
}

// findUserDefined resolves a user-defined transformer of the account by
// name or id; a system source is refused with a hint.
func findUserDefined(ctx context.Context, s *session.Session, nameOrID string) (*mgmtv1alpha1.UserDefinedTransformer, error) {
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return nil, err
	}
	_, udt, err := find(ctx, c, acct.GetId(), nameOrID)
	if err != nil {
		return nil, err
	}
	if udt == nil {
		return nil, exitcode.Usage(fmt.Errorf("%s is a system transformer and cannot be changed; save a configuration of it with neosync transformers create NAME --source %s", nameOrID, nameOrID))
	}
	return udt, nil
}

// keyValue splits a --config KEY=VALUE, reading VALUE as JSON when it parses.
func keyValue(kv string) (string, any, error) {
	k, v, ok := strings.Cut(kv, "=")
	if !ok || k == "" {
		return "", nil, exitcode.Usage(fmt.Errorf("--config %q: use KEY=VALUE", kv))
	}
	return k, parseValue(v), nil
}
