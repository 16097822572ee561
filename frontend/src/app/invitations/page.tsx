"use client";

import { useMutation } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { UserAccountService } from "@/gen/mgmt/v1alpha1/user_account_pb";
import { chooseAccount } from "@/lib/account";
import { roleLabel } from "@/lib/permissions";
import { tokenFromHash } from "@/lib/teams";
import { Button, ButtonLink, Card, ErrorBox, Field, PageHeader, inputClass } from "@/components/ui";

/**
 * InvitationsPage is where an invitee answers an invitation: the link an
 * admin sends carries the token in its fragment (#token=…), or they paste
 * it. Accepting makes them a member with the invitation's role and switches
 * the app to the team; declining ends the invitation.
 */
export default function InvitationsPage() {
  const qc = useQueryClient();
  const [token, setToken] = useState("");
  useEffect(() => {
    const t = tokenFromHash(window.location.hash);
    if (t) setToken(t);
  }, []);
  const accept = useMutation(UserAccountService.method.acceptTeamAccountInvite, {
    onSuccess: async (res) => {
      // The token is spent: drop it from the address bar and history.
      window.history.replaceState(null, "", window.location.pathname);
      if (res.account) chooseAccount(res.account.id);
      await qc.invalidateQueries();
    },
  });
  const decline = useMutation(UserAccountService.method.declineTeamAccountInvite, {
    onSuccess: () => window.history.replaceState(null, "", window.location.pathname),
  });
  const answered = accept.isSuccess || decline.isSuccess;
  const joined = accept.data?.account;

  return (
    <div className="max-w-2xl">
      <PageHeader title="Invitations" description="Join a team account with the invitation an admin sent you." />
      <Card title="Answer an invitation">
        {joined ? (
          <div role="status" className="space-y-3 text-sm">
            <p className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-emerald-800">
              You joined <strong>{joined.name}</strong> as {roleLabel(joined.role)}. The app now works in this team; switch accounts in the menu.
            </p>
            <ButtonLink href="/connections">Go to the team&apos;s connections</ButtonLink>
          </div>
        ) : decline.isSuccess ? (
          <p role="status" className="text-sm text-slate-700">
            Invitation declined. The admin who sent it sees it as declined.
          </p>
        ) : (
          <form
            className="space-y-3"
            onSubmit={(e) => {
              e.preventDefault();
              if (token.trim()) accept.mutate({ token: token.trim() });
            }}
          >
            <Field label="Invitation token" htmlFor="invite-token" hint="Opening the link you were sent fills this in.">
              <input id="invite-token" className={inputClass + " font-mono"} value={token} onChange={(e) => { setToken(e.target.value); accept.reset(); decline.reset(); }} autoComplete="off" spellCheck={false} />
            </Field>
            <ErrorBox error={accept.error ?? decline.error} title="The invitation could not be answered" />
            <div className="flex flex-wrap gap-2">
              <Button type="submit" variant="primary" busy={accept.isPending} disabled={!token.trim() || answered}>
                Accept invitation
              </Button>
              <Button busy={decline.isPending} disabled={!token.trim() || answered} onClick={() => decline.mutate({ token: token.trim() })}>
                Decline
              </Button>
            </div>
          </form>
        )}
      </Card>
    </div>
  );
}
