package auth

import (
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// Role is what a member may do in one account.
type Role string

const (
	// RoleAdmin may do everything in the account: members, invitations,
	// API keys and the audit trail besides everything below.
	RoleAdmin Role = "admin"
	// RoleJobDeveloper creates, changes and deletes connections, jobs and
	// transformers, reads connection data and runs jobs.
	RoleJobDeveloper Role = "job_developer"
	// RoleJobExecutor reads everything and starts, cancels and terminates runs.
	RoleJobExecutor Role = "job_executor"
	// RoleJobViewer only reads.
	RoleJobViewer Role = "job_viewer"
)

// Roles lists the roles from most to least powerful.
var Roles = []Role{RoleAdmin, RoleJobDeveloper, RoleJobExecutor, RoleJobViewer}

// ParseRole checks a stored or requested role name.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !slices.Contains(Roles, r) {
		return "", fmt.Errorf("unknown role %q (want admin, job_developer, job_executor or job_viewer)", s)
	}
	return r, nil
}

// Permission is one kind of action in an account; the README's role table
// lists which role holds which.
type Permission string

const (
	// PermRead reads connections, jobs, runs, transformers and members.
	PermRead Permission = "account.read"
	// PermRunExecute triggers, cancels and terminates runs, pauses and
	// resumes schedules and runs anonymizations.
	PermRunExecute Permission = "run.execute"
	// PermConnectionWrite creates, changes, checks and deletes connections.
	PermConnectionWrite Permission = "connection.write"
	// PermDataRead reads rows out of a connection.
	PermDataRead Permission = "connection.data.read"
	// PermJobWrite creates, changes and deletes jobs and their runs.
	PermJobWrite Permission = "job.write"
	// PermTransformerWrite creates, changes, previews and deletes transformers.
	PermTransformerWrite Permission = "transformer.write"
	// PermKeyManage lists, creates, regenerates and deletes API keys.
	PermKeyManage Permission = "apikey.manage"
	// PermMemberManage invites, removes and changes the role of members.
	PermMemberManage Permission = "member.manage"
	// PermAuditRead reads the audit trail.
	PermAuditRead Permission = "audit.read"
)

// grants is the role table.
var grants = map[Role][]Permission{
	RoleJobViewer:    {PermRead},
	RoleJobExecutor:  {PermRead, PermRunExecute},
	RoleJobDeveloper: {PermRead, PermRunExecute, PermConnectionWrite, PermDataRead, PermJobWrite, PermTransformerWrite},
	RoleAdmin: {PermRead, PermRunExecute, PermConnectionWrite, PermDataRead, PermJobWrite, PermTransformerWrite,
		PermKeyManage, PermMemberManage, PermAuditRead},
}

// Allows reports whether r holds perm.
func (r Role) Allows(perm Permission) bool { return slices.Contains(grants[r], perm) }

// Permissions lists what r holds, for whoami and the web app.
func (r Role) Permissions() []Permission { return slices.Clone(grants[r]) }

// Label is the role's name for people.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "admin"
	case RoleJobDeveloper:
		return "job developer"
	case RoleJobExecutor:
		return "job executor"
	case RoleJobViewer:
		return "job viewer"
	}
	return string(r)
}

// weakestHolding names the least powerful role holding perm, for errors
// that tell the caller what they would need.
func weakestHolding(perm Permission) Role {
	for i := len(Roles) - 1; i >= 0; i-- {
		if Roles[i].Allows(perm) {
			return Roles[i]
		}
	}
	return RoleAdmin
}

// RoleIn returns the caller's role in accountID ("" when not a member).
func (p *Principal) RoleIn(accountID uuid.UUID) Role {
	if p.Roles == nil {
		return ""
	}
	return p.Roles[accountID]
}
