// Package audit implements `neosync audit`: the current account's audit
// trail (who created, changed, ran, cancelled or deleted what, and when),
// newest first. Admins only.
package audit

import (
	"context"
	"errors"
	"io"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type flags struct {
	format output.Format
	limit  int
}

// NewCommand returns the audit command.
func NewCommand(s *session.Session) *cobra.Command {
	f := &flags{}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show who created, changed, ran, cancelled or deleted what in the account",
		Example: `  neosync audit
  neosync audit --limit 500 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), s, f)
		},
	}
	cmd.Flags().IntVar(&f.limit, "limit", 50, "how many events to show, newest first")
	output.AddFlag(cmd, &f.format)
	return cmd
}

func run(ctx context.Context, s *session.Session, f *flags) error {
	if f.limit < 1 {
		return errors.New("--limit must be at least 1")
	}
	acct, err := s.Account(ctx)
	if err != nil {
		return err
	}
	c, err := s.Client()
	if err != nil {
		return err
	}
	var events []*mgmtv1alpha1.AuditEvent
	token := ""
	for len(events) < f.limit {
		page := min(f.limit-len(events), 500)
		resp, err := c.Audit.GetAuditEvents(ctx, connect.NewRequest(&mgmtv1alpha1.GetAuditEventsRequest{AccountId: acct.GetId(), PageSize: int32(page), PageToken: token}))
		if err != nil {
			return err
		}
		events = append(events, resp.Msg.GetEvents()...)
		if token = resp.Msg.GetNextPageToken(); token == "" {
			break
		}
	}
	msg := &mgmtv1alpha1.GetAuditEventsResponse{Events: events}
	return output.Message(s.Out, f.format, msg, func(w io.Writer) error {
		t := output.NewTable("when", "who", "action", "resource", "id")
		for _, e := range events {
			t.Row(output.Time(e.GetCreatedAt()), e.GetActor(), e.GetAction(), e.GetResourceType(), e.GetResourceId())
		}
		return t.Render(w)
	})
}
