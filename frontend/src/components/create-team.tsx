"use client";

import { useMutation } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { UserAccountService } from "@/gen/mgmt/v1alpha1/user_account_pb";
import { chooseAccount } from "@/lib/account";
import { teamNameError } from "@/lib/teams";
import { Button, ErrorBox, Field, inputClass } from "./ui";

/** CreateTeamForm creates a team account with the caller as its admin and switches the app to it. */
export function CreateTeamForm({ onCreated }: { onCreated?: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [touched, setTouched] = useState(false);
  const create = useMutation(UserAccountService.method.createTeamAccount, {
    onSuccess: async (res) => {
      await qc.invalidateQueries();
      chooseAccount(res.accountId);
      setName("");
      setTouched(false);
      onCreated?.();
    },
  });
  const err = touched ? teamNameError(name) : undefined;
  return (
    <form
      className="flex flex-wrap items-start gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        if (!teamNameError(name)) create.mutate({ name });
      }}
    >
      <Field label="Team name" htmlFor="team-name" error={err} hint="Lowercase letters, digits and hyphens, e.g. data-team." className="min-w-48 flex-1">
        <input id="team-name" className={inputClass} value={name} aria-invalid={!!err || undefined} onChange={(e) => { setName(e.target.value); create.reset(); }} onBlur={() => name && setTouched(true)} autoComplete="off" />
      </Field>
      <Button type="submit" variant="primary" busy={create.isPending} className="mt-6">
        Create team
      </Button>
      {create.error ? <div className="w-full"><ErrorBox error={create.error} title="Could not create the team" /></div> : null}
    </form>
  );
}
