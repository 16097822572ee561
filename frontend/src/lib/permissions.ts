// What the caller may do in the account the app works in, for hiding or
// disabling actions with a reason. The API is the authority (it refuses
// with PermissionDenied whatever the page shows); this only keeps people
// from pressing buttons that cannot work. The permissions come from
// GetUserAccounts (the same list `neosync whoami` prints), so the role
// table lives in one place: backend/internal/auth/roles.go.

import { AccountRole, UserAccountType, type UserAccount } from "@/gen/mgmt/v1alpha1/user_account_pb";

/** Permission is one kind of action, as the API names it in UserAccount.permissions. */
export type Permission =
  | "account.read"
  | "run.execute"
  | "connection.write"
  | "connection.data.read"
  | "job.write"
  | "transformer.write"
  | "apikey.manage"
  | "member.manage"
  | "audit.read";

/** actions says, per permission, what it lets one do and the least role holding it (README role table). */
const actions: Record<Permission, { what: string; needs: string }> = {
  "account.read": { what: "see this account", needs: "job viewer" },
  "run.execute": { what: "start, cancel or pause runs", needs: "job executor" },
  "connection.write": { what: "create, change or delete connections", needs: "job developer" },
  "connection.data.read": { what: "read rows from connections", needs: "job developer" },
  "job.write": { what: "create, change or delete jobs", needs: "job developer" },
  "transformer.write": { what: "create, change or delete transformers", needs: "job developer" },
  "apikey.manage": { what: "manage API keys", needs: "admin" },
  "member.manage": { what: "manage members and invitations", needs: "admin" },
  "audit.read": { what: "read the audit trail", needs: "admin" },
};

/** roleLabel names a role for people ("job viewer"). */
export function roleLabel(role: AccountRole): string {
  switch (role) {
    case AccountRole.ADMIN:
      return "admin";
    case AccountRole.JOB_DEVELOPER:
      return "job developer";
    case AccountRole.JOB_EXECUTOR:
      return "job executor";
    case AccountRole.JOB_VIEWER:
      return "job viewer";
    default:
      return "no role";
  }
}

/** ROLES lists the roles from most to least powerful, for pickers. */
export const ROLES: AccountRole[] = [AccountRole.ADMIN, AccountRole.JOB_DEVELOPER, AccountRole.JOB_EXECUTOR, AccountRole.JOB_VIEWER];

/**
 * deniedReason returns why the caller may not act with perm in account —
 * a sentence naming their role and the role needed — or undefined when they
 * may. While the account is still loading nothing is denied: the API
 * decides, and buttons do not flicker.
 */
export function deniedReason(account: Pick<UserAccount, "name" | "role" | "permissions"> | undefined, perm: Permission): string | undefined {
  if (!account || account.permissions.includes(perm)) return undefined;
  const a = actions[perm];
  const role = roleLabel(account.role);
  return `Your role in ${account.name} is ${role}: to ${a.what} you need the ${a.needs} role${a.needs === "admin" ? "" : " or higher"}. Ask an admin of the account.`;
}

/** isTeam reports whether account is a team account (members, invitations). */
export function isTeam(account: Pick<UserAccount, "type"> | undefined): boolean {
  return account?.type === UserAccountType.TEAM;
}
