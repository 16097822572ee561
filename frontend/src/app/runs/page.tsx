"use client";

import Link from "next/link";
import { useQuery } from "@connectrpc/connect-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { JobService } from "@/gen/mgmt/v1alpha1/job_pb";
import { useAccount } from "@/lib/account";
import { formatDuration, formatTime } from "@/lib/format";
import { isActive, runDurationMs, runTotals, statusFilters, statusLabel, statusTone } from "@/lib/runs";
import { useNow } from "@/lib/use-now";
import { Badge, Button, EmptyState, ErrorBox, Loading, PageHeader, Table, Td, inputClass } from "@/components/ui";

const statusOptions: [string, string][] = [
  ["", "Any status"],
  ["active", "Pending or running"],
  ["complete", "Complete"],
  ["failed", "Failed"],
  ["stopped", "Canceled or terminated"],
];

/** RunsPage lists runs newest first, filtered by job and status (kept in the URL: ?job=ID&status=failed). */
function RunsList() {
  const { account, error: accountError } = useAccount();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const jobFilter = params.get("job") ?? "";
  const statusFilter = statusFilters[params.get("status") ?? ""] ? (params.get("status") ?? "") : "";
  const setFilter = (key: string, v: string) => {
    const n = new URLSearchParams(params.toString());
    if (v) n.set(key, v);
    else n.delete(key);
    router.replace(n.size ? `${pathname}?${n}` : pathname);
  };
  const id = jobFilter ? { case: "jobId" as const, value: jobFilter } : { case: "accountId" as const, value: account?.id ?? "" };
  const runs = useQuery(JobService.method.getJobRuns, { id, pageSize: 100 }, { enabled: !!account, refetchInterval: (q) => (q.state.data?.jobRuns.some((r) => isActive(r.status)) ? 2000 : false) });
  const jobs = useQuery(JobService.method.getJobs, { accountId: account?.id }, { enabled: !!account });
  const jobName = new Map((jobs.data?.jobs ?? []).map((j) => [j.id, j.name]));
  const all = runs.data?.jobRuns ?? [];
  const wanted = statusFilter ? statusFilters[statusFilter] : undefined;
  const list = wanted ? all.filter((r) => wanted.includes(r.status)) : all;
  const now = useNow(all.some((r) => isActive(r.status)));
  const filtered = !!(jobFilter || statusFilter);
  return (
    <>
      <PageHeader title="Runs" description="Every run of every job, newest first. Running jobs refresh on their own." />
      <div className="mb-4 flex flex-wrap items-end gap-2" role="search" aria-label="Filter runs">
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-800">Job</span>
          <select aria-label="Filter by job" className={inputClass + " min-w-48"} value={jobFilter} onChange={(e) => setFilter("job", e.target.value)}>
            <option value="">All jobs</option>
            {(jobs.data?.jobs ?? []).map((j) => (
              <option key={j.id} value={j.id}>
                {j.name}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-800">Status</span>
          <select aria-label="Filter by status" className={inputClass + " min-w-48"} value={statusFilter} onChange={(e) => setFilter("status", e.target.value)}>
            {statusOptions.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        {filtered && <Button onClick={() => router.replace(pathname)}>Clear filters</Button>}
      </div>
      <ErrorBox error={accountError ?? runs.error} title="Could not load runs" />
      {!accountError && !runs.error && !runs.data ? (
        <Loading />
      ) : runs.data && list.length === 0 ? (
        filtered ? <EmptyState title="No runs match these filters" description="Choose another job or status, or clear the filters." /> : <EmptyState title="No runs yet" description="Open a job and click Run now, or give it a schedule." />
      ) : list.length > 0 ? (
        <Table head={["Run", "Job", "Status", "Started", "Duration", "Rows"]}>
          {list.map((r) => {
            const t = runTotals(r);
            const d = runDurationMs(r, now);
            return (
              <tr key={r.id} className="hover:bg-slate-50">
                <Td>
                  <Link href={`/runs/${r.id}`} className="font-mono text-xs text-indigo-700 hover:underline">
                    {r.id.slice(0, 8)}
                  </Link>
                </Td>
                <Td>
                  <Link href={`/jobs/${r.jobId}`} className="hover:underline">
                    {jobName.get(r.jobId) ?? r.jobId.slice(0, 8)}
                  </Link>
                </Td>
                <Td>
                  <Badge tone={statusTone[r.status]}>{statusLabel[r.status]}</Badge>
                </Td>
                <Td className="whitespace-nowrap">{formatTime(r.startedAt)}</Td>
                <Td className="whitespace-nowrap tabular-nums">{d === undefined ? "—" : formatDuration(d)}</Td>
                <Td className="whitespace-nowrap tabular-nums">{new Intl.NumberFormat().format(t.done)}</Td>
              </tr>
            );
          })}
        </Table>
      ) : null}
    </>
  );
}

/** RunsPage wraps the list in Suspense, which Next requires around useSearchParams. */
export default function RunsPage() {
  return (
    <Suspense fallback={<Loading />}>
      <RunsList />
    </Suspense>
  );
}
