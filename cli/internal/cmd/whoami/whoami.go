// Package whoami implements `neosync whoami`: which API the CLI talks to,
// as whom, in which account with which role, and where those settings came
// from.
package whoami

import (
	"context"
	"fmt"
	"strings"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/describe"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type flags struct {
	format output.Format
}

// NewCommand returns the whoami command.
func NewCommand(s *session.Session) *cobra.Command {
	f := &flags{}
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Show the API, user and account the CLI acts as",
		Example: `  neosync whoami
  neosync whoami -o json | jq -r .account.name`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), s, f)
		},
	}
	output.AddFlag(cmd, &f.format)
	return cmd
}

func run(ctx context.Context, s *session.Session, f *flags) error {
	st, err := s.Settings()
	if err != nil {
		return err
	}
	c, err := s.Client()
	if err != nil {
		return err
	}
	user, err := c.Users.GetUser(ctx, connect.NewRequest(&mgmtv1alpha1.GetUserRequest{}))
	if err != nil {
		return err
	}
	sys, err := c.Users.GetSystemInformation(ctx, connect.NewRequest(&mgmtv1alpha1.GetSystemInformationRequest{}))
	if err != nil {
		return err
	}
	acct, acctErr := s.Account(ctx)
	if f.format != output.Table {
		doc := map[string]any{
			"apiUrl": st.APIURL, "apiUrlSource": st.APIURLSource, "apiKeySource": st.APIKeySource,
			"authMode": sys.Msg.GetAuthMode(), "configDir": st.Dir,
		}
		if doc["user"], err = asMap(user.Msg.GetUser()); err != nil {
			return err
		}
		if acctErr == nil {
			if doc["account"], err = asMap(acct); err != nil {
				return err
			}
		}
		msg, err := structpb.NewStruct(doc)
		if err != nil {
			return err
		}
		return output.Message(s.Out, f.format, msg, nil)
	}
	u := user.Msg.GetUser()
	if u.GetEmail() != "" {
		u.DisplayName += " <" + u.GetEmail() + ">"
	}
	account := ""
	if acctErr != nil {
		account = "none: " + acctErr.Error()
	} else {
		account = fmt.Sprintf("%s (%s, %s)", acct.GetName(), describe.AccountType(acct), acct.GetId())
	}
	role := "none"
	if acctErr == nil && acct.GetRole() != mgmtv1alpha1.AccountRole_ACCOUNT_ROLE_UNSPECIFIED {
		role = describe.Role(acct.GetRole()) + " (may: " + strings.Join(acct.GetPermissions(), ", ") + ")"
	}
	return output.Fields(s.Out,
		output.Field{Label: "API", Value: fmt.Sprintf("%s (from %s; auth mode %s)", st.APIURL, st.APIURLSource, sys.Msg.GetAuthMode())},
		output.Field{Label: "User", Value: fmt.Sprintf("%s (%s, %s)", u.GetDisplayName(), u.GetKind(), u.GetId())},
		output.Field{Label: "Account", Value: account},
		output.Field{Label: "Role", Value: role},
		output.Field{Label: "API key", Value: st.APIKeySource},
		output.Field{Label: "Config", Value: st.Dir},
	)
}

// asMap renders a message as its protojson object, for composite output.
func asMap(m proto.Message) (map[string]any, error) {
	b, err := protojson.Marshal(m)
	if err != nil {
		return nil, err
	}
	var v structpb.Struct
	if err := protojson.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v.AsMap(), nil
}
