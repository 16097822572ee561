"use client";

import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiKeyService } from "@/gen/mgmt/v1alpha1/api_key_pb";
import { UserAccountService, UserAccountType } from "@/gen/mgmt/v1alpha1/user_account_pb";
import { useAccount, useDenied } from "@/lib/account";
import { dayLabel, lifetimeDays, lifetimeOptions } from "@/lib/api-keys";
import { formatTime } from "@/lib/format";
import { Button, Card, ConfirmDialog, Dl, EmptyState, ErrorBox, Field, Loading, PageHeader, RoleNote, Table, Td, inputClass } from "@/components/ui";
import { roleLabel } from "@/lib/permissions";

/** SettingsPage: who and where you are (user, account, API build) and the account's API keys: create, regenerate (each shows the key once), revoke. */
export default function SettingsPage() {
  const { account, error: accountError } = useAccount();
  const qc = useQueryClient();
  const info = useQuery(UserAccountService.method.getSystemInformation, {});
  const user = useQuery(UserAccountService.method.getUser, {});
  const [regen, setRegen] = useState<{ id: string; name: string; days: number } | null>(null);
  const [regenDays, setRegenDays] = useState("90");
  // Only admins manage keys: for others the card says so instead of asking the API.
  const denied = useDenied("apikey.manage");
  const keys = useQuery(ApiKeyService.method.getAccountApiKeys, { accountId: account?.id }, { enabled: !!account && !denied });
  const [name, setName] = useState("");
  const [days, setDays] = useState("90");
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const create = useMutation(ApiKeyService.method.createAccountApiKey, { onSuccess: () => { setName(""); setCopied(false); regenerate.reset(); qc.invalidateQueries(); } });
  // A revoked key's value must not stay on screen as if it were usable.
  const revoke = useMutation(ApiKeyService.method.deleteAccountApiKey, {
    onSuccess: (_, req) => {
      if (req.id === shownKey?.id) {
        create.reset();
        regenerate.reset();
      }
      setRevoking(null);
      qc.invalidateQueries();
    },
  });
  const regenerate = useMutation(ApiKeyService.method.regenerateAccountApiKey, { onSuccess: () => { setRegen(null); setCopied(false); create.reset(); qc.invalidateQueries(); } });
  const shownKey = create.data?.apiKey ?? regenerate.data?.apiKey;
  const newKey = shownKey?.keyValue;

  return (
    <>
      <PageHeader title="Settings" description="Your account and the API keys that let the CLI and scripts act on its behalf." />
      <div className="space-y-6">
        <Card title="Account">
          <ErrorBox error={accountError ?? info.error} />
          <Dl
            items={[
              ["Account", account ? <span key="a">{account.name} <span className="text-slate-500">({account.type === UserAccountType.TEAM ? "team" : "personal"})</span></span> : "…"],
              ["Account ID", <span key="id" className="font-mono text-xs">{account?.id ?? "…"}</span>],
              ["Account created", formatTime(account?.createdAt)],
              ["Your role", account ? roleLabel(account.role) : "…"],
              ["Signed in as", user.data?.user ? `${user.data.user.displayName || user.data.user.id} (${user.data.user.kind})` : user.error ? "unknown" : "…"],
              ["Auth mode", info.data?.authMode === "none" ? "Single user (no sign-in)" : (info.data?.authMode ?? "…")],
              ["API version", info.data ? `${info.data.version} (${info.data.platform}, ${info.data.goVersion})` : "…"],
              ["API commit", info.data ? <span key="c" className="font-mono text-xs">{info.data.commit.slice(0, 12) || "—"}</span> : "…"],
              ["API built", formatTime(info.data?.buildDate)],
            ]}
          />
        </Card>
        <Card title="API keys">
          {denied ? <RoleNote reason={denied} /> : <>
          <form className="flex flex-wrap items-end gap-2" onSubmit={(e) => { e.preventDefault(); if (account && name.trim()) create.mutate({ accountId: account.id, name: name.trim(), expiresAt: timestampFromMs(Date.now() + Number(days) * 86_400_000) }); }}>
            <Field label="New key name" htmlFor="key-name" className="flex-1 min-w-48">
              <input id="key-name" className={inputClass} value={name} onChange={(e) => setName(e.target.value)} placeholder="ci-pipeline" autoComplete="off" />
            </Field>
            <Field label="Expires in" htmlFor="key-days">
              <select id="key-days" className={inputClass} value={days} onChange={(e) => setDays(e.target.value)}>
                <option value="30">30 days</option>
                <option value="90">90 days</option>
                <option value="365">1 year</option>
              </select>
            </Field>
            <Button type="submit" variant="primary" busy={create.isPending} disabled={!name.trim() || !account}>Create key</Button>
          </form>
          <div className="mt-3"><ErrorBox error={create.error} title="Could not create the key" /></div>
          {newKey && (
            <div role="status" className="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
              <p className="font-medium text-amber-900">{regenerate.data ? `New value of ${shownKey?.name}: the old one no longer works.` : `Key ${shownKey?.name} created.`} Copy it now: it is shown only once.</p>
              <div className="mt-2 flex flex-wrap items-center gap-2">
                <code data-testid="new-key" className="break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-amber-200">{newKey}</code>
                <Button onClick={async () => { await navigator.clipboard?.writeText(newKey); setCopied(true); }}>{copied ? "Copied" : "Copy"}</Button>
              </div>
            </div>
          )}
          <div className="mt-4">
            <ErrorBox error={keys.error} title="Could not load keys" />
            {keys.isLoading && <Loading />}
            {keys.data && keys.data.apiKeys.length === 0 && <EmptyState title="No API keys" description="Create one for the CLI (NEOSYNC_API_KEY) or a CI pipeline." />}
            {keys.data && keys.data.apiKeys.length > 0 && (
              <Table head={["Name", "Created", "Expires", "Last used", ""]}>
                {keys.data.apiKeys.map((k) => (
                  <tr key={k.id}>
                    <Td className="whitespace-nowrap font-medium">
                      {k.name}
                      <div className="mt-1 flex gap-1 sm:hidden">
                        <Button variant="ghost" className="px-2 py-1" aria-label={`Regenerate ${k.name}`} onClick={() => { regenerate.reset(); setRegenDays(String(lifetimeDays(k))); setRegen({ id: k.id, name: k.name, days: lifetimeDays(k) }); }}>Regenerate</Button>
                        <Button variant="ghost" className="px-2 py-1 text-red-700" aria-label={`Revoke ${k.name}`} onClick={() => { revoke.reset(); setRevoking({ id: k.id, name: k.name }); }}>Revoke</Button>
                      </div>
                    </Td>
                    <Td className="whitespace-nowrap">{formatTime(k.createdAt)}</Td>
                    <Td className="whitespace-nowrap">{formatTime(k.expiresAt)}</Td>
                    <Td className="whitespace-nowrap">{k.lastUsedAt ? formatTime(k.lastUsedAt) : "never"}</Td>
                    <Td className="hidden whitespace-nowrap text-right sm:table-cell">
                      <Button variant="ghost" aria-label={`Regenerate ${k.name}`} onClick={() => { regenerate.reset(); setRegenDays(String(lifetimeDays(k))); setRegen({ id: k.id, name: k.name, days: lifetimeDays(k) }); }}>Regenerate</Button>
                      <Button variant="ghost" className="text-red-700" aria-label={`Revoke ${k.name}`} onClick={() => { revoke.reset(); setRevoking({ id: k.id, name: k.name }); }}>Revoke</Button>
                    </Td>
                  </tr>
                ))}
              </Table>
            )}
          </div>
          </>}
        </Card>
      </div>
      <ConfirmDialog
        open={!!regen}
        title={`Regenerate ${regen?.name}?`}
        body={
          <div className="space-y-3">
            <p>A new key value replaces the old one, which stops working immediately. Update everything that uses it.</p>
            <Field label="New value expires in" htmlFor="regen-days">
              <select id="regen-days" className={inputClass} value={regenDays} onChange={(e) => setRegenDays(e.target.value)}>
                {[...new Set([...(regen ? [regen.days] : []), ...lifetimeOptions])].map((d) => (
                  <option key={d} value={String(d)}>
                    {dayLabel(d)}
                    {d === regen?.days ? " (as now)" : ""}
                  </option>
                ))}
              </select>
            </Field>
          </div>
        }
        confirmLabel="Regenerate key"
        busy={regenerate.isPending}
        error={regenerate.error}
        onConfirm={() => regen && regenerate.mutate({ id: regen.id, expiresAt: timestampFromMs(Date.now() + Number(regenDays) * 86_400_000) })}
        onClose={() => setRegen(null)}
      />
      <ConfirmDialog
        open={!!revoking}
        title={`Revoke ${revoking?.name}?`}
        body="Anything using this key stops working immediately."
        confirmLabel="Revoke key"
        busy={revoke.isPending}
        error={revoke.error}
        onConfirm={() => revoking && revoke.mutate({ id: revoking.id })}
        onClose={() => setRevoking(null)}
      />
    </>
  );
}
