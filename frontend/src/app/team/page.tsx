"use client";

import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { AccountRole, UserAccountService, type AccountMember } from "@/gen/mgmt/v1alpha1/user_account_pb";
import { useAccount, useDenied } from "@/lib/account";
import { formatTime } from "@/lib/format";
import { ROLES, isTeam, roleLabel } from "@/lib/permissions";
import { INVITE_DAYS, inviteLink, isLastAdmin } from "@/lib/teams";
import { CreateTeamForm } from "@/components/create-team";
import { Badge, Button, Card, ConfirmDialog, EmptyState, ErrorBox, Field, Loading, PageHeader, RoleNote, Table, Td, inputClass } from "@/components/ui";

/**
 * TeamPage: the current team account's members (role change, remove,
 * leave) and, for admins, its invitations (create with a role and an
 * expiry — the token is shown once — list, revoke). In a personal account
 * it offers to create a team.
 */
export default function TeamPage() {
  const { account, error } = useAccount();
  if (error) return <ErrorBox error={error} />;
  if (!account) return <Loading />;
  if (!isTeam(account)) {
    return (
      <>
        <PageHeader title="Team" description="Share connections, jobs and runs with other people in a team account." />
        <Card title="Create a team account">
          <p className="mb-3 text-sm text-slate-600">
            {account.name} is your personal account: only you work in it. A team account has members, each with a role, and invitations. You become its first admin.
          </p>
          <CreateTeamForm />
        </Card>
      </>
    );
  }
  return <TeamAccount accountId={account.id} accountName={account.name} />;
}

function TeamAccount({ accountId, accountName }: { accountId: string; accountName: string }) {
  const qc = useQueryClient();
  const denied = useDenied("member.manage");
  const me = useQuery(UserAccountService.method.getUser, {});
  const members = useQuery(UserAccountService.method.getTeamAccountMembers, { accountId });
  const list = members.data?.members ?? [];
  const refresh = { onSuccess: () => qc.invalidateQueries() };
  const setRole = useMutation(UserAccountService.method.updateTeamAccountMemberRole, refresh);
  const [removing, setRemoving] = useState<AccountMember | null>(null);
  const remove = useMutation(UserAccountService.method.removeTeamAccountMember, { onSuccess: async () => { setRemoving(null); await qc.invalidateQueries(); } });
  const [leaving, setLeaving] = useState(false);
  const leave = useMutation(UserAccountService.method.leaveTeamAccount, {
    // The account is gone from the caller's list: a full load starts again in their personal account.
    onSuccess: () => window.location.assign("/jobs"),
  });
  const myId = me.data?.user?.id;
  const mine = list.find((m) => m.user?.id === myId);

  return (
    <>
      <PageHeader
        title="Team"
        description={`Members of ${accountName} and what each may do. The API checks every action against the member's role.`}
        actions={
          mine && (
            <Button variant="danger" onClick={() => { leave.reset(); setLeaving(true); }} disabled={isLastAdmin(mine, list)} title={isLastAdmin(mine, list) ? "You are the last admin: make another member admin first." : undefined}>
              Leave team
            </Button>
          )
        }
      />
      <RoleNote reason={denied} />
      <div className="space-y-6">
        <Card title={`Members${members.data ? ` (${list.length})` : ""}`}>
          <ErrorBox error={members.error} title="Could not load the members" />
          <ErrorBox error={setRole.error} title="Could not change the role" />
          {members.isLoading && <Loading />}
          {list.length > 0 && (
            <Table head={["Member", "Role", "Joined", ""]}>
              {list.map((m) => {
                const name = m.user?.displayName || m.user?.email || m.user?.id || "?";
                const last = isLastAdmin(m, list);
                return (
                  <tr key={m.user?.id}>
                    <Td className="font-medium">
                      {name} {m.user?.id === myId && <Badge tone="indigo">you</Badge>}
                      {m.user?.email && m.user.email !== name && <span className="block text-xs font-normal text-slate-500">{m.user.email}</span>}
                    </Td>
                    <Td>
                      <select
                        aria-label={`Role of ${name}`}
                        className={inputClass + " min-w-36"}
                        value={m.role}
                        disabled={!!denied || last || setRole.isPending}
                        title={denied ?? (last ? "The last admin stays admin: make another member admin first." : undefined)}
                        onChange={(e) => setRole.mutate({ accountId, userId: m.user?.id, role: Number(e.target.value) as AccountRole })}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {roleLabel(r)}
                          </option>
                        ))}
                      </select>
                    </Td>
                    <Td className="whitespace-nowrap">{formatTime(m.joinedAt)}</Td>
                    <Td className="text-right">
                      {m.user?.id !== myId && (
                        <Button variant="ghost" className="px-2 py-1 text-red-700" aria-label={`Remove ${name}`} denied={denied} disabled={last} onClick={() => { remove.reset(); setRemoving(m); }}>
                          Remove
                        </Button>
                      )}
                    </Td>
                  </tr>
                );
              })}
            </Table>
          )}
        </Card>
        {!denied && <Invitations accountId={accountId} />}
      </div>
      <ConfirmDialog
        open={!!removing}
        title={`Remove ${removing?.user?.displayName || removing?.user?.email}?`}
        body="They lose access to this team's connections, jobs and runs at once. What they made stays."
        confirmLabel="Remove member"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => removing && remove.mutate({ accountId, userId: removing.user?.id })}
        onClose={() => setRemoving(null)}
      />
      <ConfirmDialog
        open={leaving}
        title={`Leave ${accountName}?`}
        body="You lose access to this team's connections, jobs and runs. An admin can invite you again."
        confirmLabel="Leave team"
        busy={leave.isPending}
        error={leave.error}
        onConfirm={() => leave.mutate({ accountId })}
        onClose={() => setLeaving(false)}
      />
    </>
  );
}

const statusTone = { pending: "blue", accepted: "green", declined: "gray", expired: "yellow" } as const;

/** Invitations: create one (token shown once, with a link to send), list them, revoke a pending one. Admins only. */
function Invitations({ accountId }: { accountId: string }) {
  const qc = useQueryClient();
  const invites = useQuery(UserAccountService.method.getTeamAccountInvites, { accountId });
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<AccountRole>(AccountRole.JOB_VIEWER);
  const [days, setDays] = useState("7");
  const [copied, setCopied] = useState(false);
  const invite = useMutation(UserAccountService.method.inviteUserToTeamAccount, { onSuccess: () => { setEmail(""); setCopied(false); qc.invalidateQueries(); } });
  const revoke = useMutation(UserAccountService.method.removeTeamAccountInvite, { onSuccess: () => qc.invalidateQueries() });
  const token = invite.data?.token;
  const link = token && typeof window !== "undefined" ? inviteLink(window.location.origin, token) : "";

  return (
    <Card title="Invitations">
      <form
        className="grid gap-3 sm:grid-cols-[1fr_auto_auto_auto] sm:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          if (email.trim()) invite.mutate({ accountId, email: email.trim(), role, expiresAt: timestampFromMs(Date.now() + Number(days) * 86_400_000) });
        }}
      >
        <Field label="Email" htmlFor="invite-email">
          <input id="invite-email" type="email" required className={inputClass} value={email} onChange={(e) => setEmail(e.target.value)} placeholder="someone@example.com" autoComplete="off" />
        </Field>
        <Field label="Role" htmlFor="invite-role">
          <select id="invite-role" className={inputClass} value={role} onChange={(e) => setRole(Number(e.target.value) as AccountRole)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {roleLabel(r)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Expires in" htmlFor="invite-days">
          <select id="invite-days" className={inputClass} value={days} onChange={(e) => setDays(e.target.value)}>
            {INVITE_DAYS.map((d) => (
              <option key={d} value={String(d)}>
                {d === 1 ? "1 day" : `${d} days`}
              </option>
            ))}
          </select>
        </Field>
        <Button type="submit" variant="primary" busy={invite.isPending} disabled={!email.trim()}>
          Invite
        </Button>
      </form>
      <div className="mt-3">
        <ErrorBox error={invite.error} title="Could not invite" />
      </div>
      {token && (
        <div role="status" className="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
          <p className="font-medium text-amber-900">
            Invitation for {invite.data?.invite?.email} created. Send them this link (or the token): it is shown only once. They sign in and accept it on the Invitations page.
          </p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <code data-testid="invite-link" className="break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-amber-200">{link}</code>
            <Button onClick={async () => { await navigator.clipboard?.writeText(link); setCopied(true); }}>{copied ? "Copied" : "Copy link"}</Button>
          </div>
          <p className="mt-2 text-xs text-amber-900">
            Token: <code data-testid="invite-token" className="break-all font-mono">{token}</code>
          </p>
        </div>
      )}
      <div className="mt-4">
        <ErrorBox error={invites.error} title="Could not load the invitations" />
        <ErrorBox error={revoke.error} title="Could not revoke the invitation" />
        {invites.isLoading && <Loading />}
        {invites.data && invites.data.invites.length === 0 && <EmptyState title="No invitations" description="Invite someone by email; they accept with the link you send them." />}
        {invites.data && invites.data.invites.length > 0 && (
          <Table head={["Email", "Role", "Status", "Created", "Expires", ""]}>
            {invites.data.invites.map((i) => (
              <tr key={i.id}>
                <Td className="font-medium">{i.email}</Td>
                <Td className="whitespace-nowrap">{roleLabel(i.role)}</Td>
                <Td>
                  <Badge tone={statusTone[i.status as keyof typeof statusTone] ?? "gray"}>{i.status}</Badge>
                </Td>
                <Td className="whitespace-nowrap">{formatTime(i.createdAt)}</Td>
                <Td className="whitespace-nowrap">{formatTime(i.expiresAt)}</Td>
                <Td className="text-right">
                  {i.status === "pending" && (
                    <Button variant="ghost" className="px-2 py-1 text-red-700" aria-label={`Revoke the invitation of ${i.email}`} busy={revoke.isPending && revoke.variables?.id === i.id} onClick={() => revoke.mutate({ id: i.id })}>
                      Revoke
                    </Button>
                  )}
                </Td>
              </tr>
            ))}
          </Table>
        )}
      </div>
    </Card>
  );
}
