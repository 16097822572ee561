"use client";

import { skipToken } from "@tanstack/react-query";
import { useInfiniteQuery } from "@connectrpc/connect-query";
import { useState } from "react";
import { AuditService } from "@/gen/mgmt/v1alpha1/audit_pb";
import { useAccount, useDenied } from "@/lib/account";
import { formatTime } from "@/lib/format";
import { AUDIT_ACTIONS, AUDIT_RESOURCES, filterEvents, type AuditFilter } from "@/lib/teams";
import { Badge, Button, EmptyState, ErrorBox, Field, Loading, PageHeader, RoleNote, Table, Td, inputClass } from "@/components/ui";

const PAGE_SIZE = 50;

/**
 * AuditPage lists the current account's audit trail, newest first: who
 * created, changed, ran, cancelled or deleted what, and when. Pages of 50
 * load on demand; the filters narrow the events loaded so far. Admins only
 * (the API refuses others).
 */
export default function AuditPage() {
  const { account, error: accountError } = useAccount();
  const denied = useDenied("audit.read");
  const [filter, setFilter] = useState<AuditFilter>({ action: "", resource: "", actor: "" });
  const q = useInfiniteQuery(
    AuditService.method.getAuditEvents,
    account && !denied ? { accountId: account.id, pageSize: PAGE_SIZE, pageToken: "" } : skipToken,
    { pageParamKey: "pageToken", getNextPageParam: (last) => last.nextPageToken || undefined },
  );
  const events = q.data?.pages.flatMap((p) => p.events) ?? [];
  const shown = filterEvents(events, filter);
  const set = (k: keyof AuditFilter) => (e: { target: { value: string } }) => setFilter((f) => ({ ...f, [k]: e.target.value }));
  const filtered = !!(filter.action || filter.resource || filter.actor.trim());

  return (
    <>
      <PageHeader title="Audit trail" description={`Who changed what in ${account?.name ?? "this account"}, newest first. Reads are not recorded.`} />
      <RoleNote reason={denied} />
      <ErrorBox error={accountError ?? q.error} title="Could not load the audit trail" />
      {!denied && (
        <>
          <div className="mb-4 grid gap-3 sm:grid-cols-3">
            <Field label="Action" htmlFor="audit-action">
              <select id="audit-action" className={inputClass} value={filter.action} onChange={set("action")}>
                <option value="">All actions</option>
                {AUDIT_ACTIONS.map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Resource" htmlFor="audit-resource">
              <select id="audit-resource" className={inputClass} value={filter.resource} onChange={set("resource")}>
                <option value="">All resources</option>
                {AUDIT_RESOURCES.map((r) => (
                  <option key={r} value={r}>
                    {r.replace("_", " ")}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Actor" htmlFor="audit-actor">
              <input id="audit-actor" className={inputClass} value={filter.actor} onChange={set("actor")} placeholder="Name or key" autoComplete="off" />
            </Field>
          </div>
          {q.isLoading || (!account && !accountError) ? (
            <Loading />
          ) : q.data && shown.length === 0 ? (
            <EmptyState
              title={filtered ? "No events match" : "No events yet"}
              description={filtered ? (q.hasNextPage ? "None among the events loaded so far: load older ones or change the filters." : "Change the filters.") : "Creating, changing, running or deleting anything records an event here."}
            />
          ) : shown.length > 0 ? (
            <Table head={["When", "Actor", "Action", "Resource", "Procedure"]}>
              {shown.map((e) => (
                <tr key={String(e.id)} data-testid="audit-event">
                  <Td className="whitespace-nowrap">{formatTime(e.createdAt)}</Td>
                  <Td>{e.actor || <span className="text-slate-400">unknown</span>}</Td>
                  <Td>
                    <Badge tone={e.action === "delete" || e.action === "remove" || e.action === "terminate" ? "red" : e.action === "create" || e.action === "accept" ? "green" : "gray"}>{e.action}</Badge>
                  </Td>
                  <Td className="whitespace-nowrap">
                    {e.resourceType.replace("_", " ")} {e.resourceId && <span className="font-mono text-xs text-slate-500" title={e.resourceId}>{e.resourceId.slice(0, 8)}</span>}
                  </Td>
                  <Td className="font-mono text-xs text-slate-500">{e.procedure.replace(/^\/mgmt\.v1alpha1\./, "")}</Td>
                </tr>
              ))}
            </Table>
          ) : null}
          <div className="mt-4 flex items-center gap-3 text-sm text-slate-600">
            {q.data && (
              <span>
                {filtered ? `${shown.length} of ` : ""}
                {events.length} event{events.length === 1 ? "" : "s"} loaded
              </span>
            )}
            {q.hasNextPage && (
              <Button busy={q.isFetchingNextPage} onClick={() => q.fetchNextPage()}>
                Load older events
              </Button>
            )}
          </div>
        </>
      )}
    </>
  );
}
