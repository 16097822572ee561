// Pure helpers of the team pages (members, invitations, audit trail), kept
// apart from the components so vitest checks them without a browser.

import { AccountRole, type AccountMember } from "@/gen/mgmt/v1alpha1/user_account_pb";
import type { AuditEvent } from "@/gen/mgmt/v1alpha1/audit_pb";

/** teamNameError says what is wrong with a new team's name (the API's rule: a slug of 3–63 lowercase letters, digits and hyphens), or undefined. */
export function teamNameError(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "Use 3 to 63 characters.";
  if (!/^[a-z0-9-]+$/.test(name)) return "Use lowercase letters, digits and hyphens only (e.g. data-team).";
  if (name.startsWith("-") || name.endsWith("-")) return "Start and end with a letter or a digit.";
  return undefined;
}

/** INVITE_PATH is the page where an invitee accepts or declines. */
export const INVITE_PATH = "/invitations";

/**
 * inviteLink is the link an admin sends an invitee. The token rides in the
 * fragment, which browsers never send to a server, so it stays out of
 * access logs and Referer headers.
 */
export function inviteLink(origin: string, token: string): string {
  return `${origin}${INVITE_PATH}#token=${encodeURIComponent(token)}`;
}

/** tokenFromHash reads the token of an invite link's fragment ("#token=…"); empty when there is none. */
export function tokenFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, "")).get("token")?.trim() ?? "";
}

/** INVITE_DAYS are the offered invitation lifetimes (the API allows at most 30 days). */
export const INVITE_DAYS = [1, 7, 30];

/** adminCount counts a team's admins: the last one can be neither demoted nor removed, nor leave. */
export function adminCount(members: Pick<AccountMember, "role">[]): number {
  return members.filter((m) => m.role === AccountRole.ADMIN).length;
}

/** isLastAdmin reports whether m is the team's only admin. */
export function isLastAdmin(m: Pick<AccountMember, "role">, members: Pick<AccountMember, "role">[]): boolean {
  return m.role === AccountRole.ADMIN && adminCount(members) <= 1;
}

/** AuditFilter narrows the audit trail; empty fields match everything. */
export interface AuditFilter {
  action: string;
  resource: string;
  /** actor matches a substring of the actor's name, case-insensitively. */
  actor: string;
}

/** filterEvents keeps the events matching f, in their order. */
export function filterEvents<T extends Pick<AuditEvent, "action" | "resourceType" | "actor">>(events: T[], f: AuditFilter): T[] {
  const actor = f.actor.trim().toLowerCase();
  return events.filter((e) => (!f.action || e.action === f.action) && (!f.resource || e.resourceType === f.resource) && (!actor || e.actor.toLowerCase().includes(actor)));
}

/** AUDIT_ACTIONS and AUDIT_RESOURCES are the values the API records (proto AuditEvent). */
export const AUDIT_ACTIONS = ["create", "update", "delete", "run", "cancel", "terminate", "pause", "resume", "invite", "accept", "decline", "remove", "leave"];
export const AUDIT_RESOURCES = ["connection", "job", "run", "transformer", "api_key", "member", "invite", "account"];
