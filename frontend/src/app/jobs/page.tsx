"use client";

import Link from "next/link";
import { useQuery } from "@connectrpc/connect-query";
import { JobService, JobType } from "@/gen/mgmt/v1alpha1/job_pb";
import { sourceOf } from "@/lib/jobs";
import { ConnectionService } from "@/gen/mgmt/v1alpha1/connection_pb";
import { useAccount, useDenied } from "@/lib/account";
import { describeCron } from "@/lib/cron";
import { formatTime } from "@/lib/format";
import { Badge, ButtonLink, EmptyState, ErrorBox, Loading, PageHeader, RoleNote, Table, Td } from "@/components/ui";

export default function JobsPage() {
  const { account, error: accountError } = useAccount();
  const q = useQuery(JobService.method.getJobs, { accountId: account?.id }, { enabled: !!account });
  const conns = useQuery(ConnectionService.method.getConnections, { accountId: account?.id }, { enabled: !!account });
  const connName = new Map((conns.data?.connections ?? []).map((c) => [c.id, c.name]));
  const jobs = q.data?.jobs ?? [];
  const denied = useDenied("job.write");
  return (
    <>
      <PageHeader title="Jobs" description="A job copies a source database into destinations, transforming sensitive columns on the way." actions={<ButtonLink href="/jobs/new" denied={denied}>New job</ButtonLink>} />
      <RoleNote reason={denied} />
      <ErrorBox error={accountError ?? q.error} title="Could not load jobs" />
      {!accountError && !q.error && !q.data ? (
        <Loading />
      ) : q.data && jobs.length === 0 ? (
        <EmptyState title="No jobs yet" description="Create connections for your source and destination databases, then create a job." action={<ButtonLink href="/jobs/new" denied={denied}>New job</ButtonLink>} />
      ) : jobs.length > 0 ? (
        <Table head={["Name", "Type", "Source", "Schedule", "Status", "Created"]}>
          {jobs.map((j) => (
            <tr key={j.id} className="hover:bg-slate-50">
              <Td>
                <Link href={`/jobs/${j.id}`} className="whitespace-nowrap font-medium text-indigo-700 hover:underline">
                  {j.name}
                </Link>
              </Td>
              <Td>{j.type === JobType.GENERATE ? "Generate" : "Sync"}</Td>
              <Td>{connName.get(sourceOf(j)) ?? "—"}</Td>
              <Td className="text-xs">
                {j.cronSchedule ? (
                  <>
                    <span className="font-mono">{j.cronSchedule}</span>
                    <span className="block text-slate-500">{describeCron(j.cronSchedule)}</span>
                  </>
                ) : (
                  <span className="text-slate-400">manual</span>
                )}
              </Td>
              <Td>{j.paused ? <Badge tone="yellow">Paused</Badge> : <Badge tone="green">Active</Badge>}</Td>
              <Td className="whitespace-nowrap">{formatTime(j.createdAt)}</Td>
            </tr>
          ))}
        </Table>
      ) : null}
    </>
  );
}
