"use client";

import Link from "next/link";
import { useQuery } from "@connectrpc/connect-query";
import { JobService } from "@/gen/mgmt/v1alpha1/job_pb";
import { useAccount } from "@/lib/account";
import { formatDuration, formatTime } from "@/lib/format";
import { isActive, runTotals, statusLabel, statusTone } from "@/lib/runs";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Badge, EmptyState, ErrorBox, Loading, PageHeader, Table, Td } from "@/components/ui";

export default function RunsPage() {
  const { account, error: accountError } = useAccount();
  const runs = useQuery(JobService.method.getJobRuns, { id: { case: "accountId", value: account?.id ?? "" }, pageSize: 100 }, { enabled: !!account, refetchInterval: (q) => (q.state.data?.jobRuns.some((r) => isActive(r.status)) ? 2000 : false) });
  const jobs = useQuery(JobService.method.getJobs, { accountId: account?.id }, { enabled: !!account });
  const jobName = new Map((jobs.data?.jobs ?? []).map((j) => [j.id, j.name]));
  const list = runs.data?.jobRuns ?? [];
  return (
    <>
      <PageHeader title="Runs" description="Every run of every job, newest first. Running jobs refresh on their own." />
      <ErrorBox error={accountError ?? runs.error} title="Could not load runs" />
      {!accountError && !runs.error && !runs.data ? (
        <Loading />
      ) : runs.data && list.length === 0 ? (
        <EmptyState title="No runs yet" description="Open a job and click Run now, or give it a schedule." />
      ) : list.length > 0 ? (
        <Table head={["Run", "Job", "Status", "Started", "Duration", "Rows"]}>
          {list.map((r) => {
            const t = runTotals(r);
            const start = r.startedAt ? timestampDate(r.startedAt).getTime() : undefined;
            const end = r.completedAt ? timestampDate(r.completedAt).getTime() : Date.now();
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
                <Td className="whitespace-nowrap tabular-nums">{start ? formatDuration(end - start) : "—"}</Td>
                <Td className="whitespace-nowrap tabular-nums">{new Intl.NumberFormat().format(t.done)}</Td>
              </tr>
            );
          })}
        </Table>
      ) : null}
    </>
  );
}
