package rpc

import (
	"context"
	"log/slog"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/domain/audit"
)

// decision is what authorization found out about a request, kept for its
// audit event.
type decision struct {
	rule      rule
	accountID uuid.UUID
	target    auth.Target
	hasTarget bool
}

// authorize applies the procedure's row of the rules table. Workers are
// held to their own allow-list by auth.Authorize and skip roles.
func (i *authInterceptor) authorize(ctx context.Context, p *auth.Principal, procedure string, msg any) (decision, error) {
	if p == nil {
		// Only public procedures run without a caller (authenticate).
		return decision{}, nil
	}
	if p.Kind == auth.KindWorker {
		return decision{}, nil
	}
	r, ok := rules[procedure]
	if !ok {
		return decision{}, &domain.PermissionDeniedError{Reason: procedure + " has no authorization rule"}
	}
	d := decision{rule: r}
	if r.self {
		return d, nil
	}
	var target *auth.Target
	if len(r.targets) > 0 {
		t, found := r.target(msg)
		if found {
			target, d.target, d.hasTarget = &t, t, true
		}
	}
	acct, err := i.authz.Check(ctx, p, r.perm, target)
	d.accountID = acct
	return d, err
}

// record writes the audit event of a successful write.
func (i *authInterceptor) record(ctx context.Context, p *auth.Principal, procedure string, d decision, req, resp any) {
	if d.rule.action == "" || p == nil {
		return
	}
	e := audit.Event{
		AccountID: d.accountID, ActorUserID: p.UserID, Actor: p.Name, Action: d.rule.action,
		ResourceType: d.rule.resource, Procedure: procedure,
	}
	// The target is the audited resource unless the call makes another kind
	// (CreateJobRun names a job and makes a run: its id is in the answer).
	if d.hasTarget && d.target.Resource != auth.ResourceAccount && (e.ResourceType == "" || e.ResourceType == string(d.target.Resource)) {
		e.ResourceID = d.target.ID.String()
		if e.ResourceType == "" {
			e.ResourceType = string(d.target.Resource)
		}
	}
	if e.ResourceType == "member" {
		e.ResourceID = stringField(req, "user_id")
		if e.ResourceID == "" {
			e.ResourceID = p.UserID.String()
		}
	}
	if e.ResourceID == "" {
		e.ResourceID = firstString(resp, "invite_id", "id", "account_id")
	}
	if e.AccountID == uuid.Nil {
		// Account-less calls name the account in their answer:
		// CreateTeamAccount's account_id, AcceptTeamAccountInvite's account.
		raw := firstString(resp, "account_id")
		if m, ok := resp.(proto.Message); ok && raw == "" {
			if fd := m.ProtoReflect().Descriptor().Fields().ByName("account"); fd != nil && fd.Kind() == protoreflect.MessageKind {
				raw = stringField(m.ProtoReflect().Get(fd).Message().Interface(), "id")
			}
		}
		if id, err := uuid.Parse(raw); err == nil {
			e.AccountID = id
		}
	}
	if e.AccountID == uuid.Nil {
		i.log.ErrorContext(ctx, "audit event without an account", slog.String("procedure", procedure))
		return
	}
	if err := i.audit.Record(context.WithoutCancel(ctx), e); err != nil {
		i.log.ErrorContext(ctx, "audit event not recorded", slog.String("procedure", procedure), slog.String("error", err.Error()))
	}
}

// stringField reads a top-level string field of a message.
func stringField(msg any, name protoreflect.Name) string {
	m, ok := msg.(proto.Message)
	if !ok {
		return ""
	}
	pr := m.ProtoReflect()
	fd := pr.Descriptor().Fields().ByName(name)
	if fd == nil || fd.Kind() != protoreflect.StringKind {
		return ""
	}
	return pr.Get(fd).String()
}

// firstString returns the first named string field set in msg or, failing
// that, in one of its message fields (CreateJobResponse.job.id).
func firstString(msg any, names ...protoreflect.Name) string {
	for _, n := range names {
		if v := stringField(msg, n); v != "" {
			return v
		}
	}
	m, ok := msg.(proto.Message)
	if !ok {
		return ""
	}
	pr := m.ProtoReflect()
	fields := pr.Descriptor().Fields()
	for k := 0; k < fields.Len(); k++ {
		fd := fields.Get(k)
		if fd.Kind() != protoreflect.MessageKind || fd.IsList() || fd.IsMap() || !pr.Has(fd) {
			continue
		}
		for _, n := range names {
			if v := stringField(pr.Get(fd).Message().Interface(), n); v != "" {
				return v
			}
		}
	}
	return ""
}
