"use client";

import Link from "next/link";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { ConnectionService } from "@/gen/mgmt/v1alpha1/connection_pb";
import { JobService, JobType } from "@/gen/mgmt/v1alpha1/job_pb";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { useDenied } from "@/lib/account";
import { cronError, describeCron, localZone } from "@/lib/cron";
import { formatTime } from "@/lib/format";
import { isActive, statusLabel, statusTone } from "@/lib/runs";
import { CronHint, formatLocal } from "@/components/schedule";
import { Badge, Button, Card, ConfirmDialog, Dl, EmptyState, ErrorBox, Loading, PageHeader, RoleNote, Table, Td, inputClass } from "@/components/ui";
import { DestinationsCard } from "@/components/job-edit/destinations-card";
import { MappingsCard } from "@/components/job-edit/mappings-card";
import { PlanCheckCard } from "@/components/job-edit/plan-check-card";
import { PrivacyCard } from "@/components/job-edit/privacy-card";
import { RunOptionsCard } from "@/components/job-edit/run-options-card";
import { SourceCard } from "@/components/job-edit/source-card";
import { VirtualFkCard } from "@/components/job-edit/virtual-fk-card";

/** JobPage is a job's overview with everything about it editable in place. */
export default function JobPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const qc = useQueryClient();
  const q = useQuery(JobService.method.getJob, { id });
  const job = q.data?.job;
  const conns = useQuery(ConnectionService.method.getConnections, { accountId: job?.accountId }, { enabled: !!job });
  // Poll while a run is active, so a run that fails or completes changes its badge here too.
  const runs = useQuery(JobService.method.getJobRecentRuns, { jobId: id }, { refetchInterval: (s) => (s.state.data?.recentRuns.some((r) => isActive(r.status)) ? 2000 : false) });
  const nextRuns = useQuery(JobService.method.getJobNextRuns, { jobId: id }, { enabled: !!job?.cronSchedule && !job.paused });
  const connName = (cid: string) => conns.data?.connections.find((c) => c.id === cid)?.name ?? cid.slice(0, 8);
  const refresh = { onSuccess: () => qc.invalidateQueries() };
  const pause = useMutation(JobService.method.pauseJob, refresh);
  const runNow = useMutation(JobService.method.createJobRun, { onSuccess: (r) => router.push(`/runs/${r.jobRun?.id}`) });
  const del = useMutation(JobService.method.deleteJob, { onSuccess: async () => { await qc.invalidateQueries(); router.push("/jobs"); } });
  const schedule = useMutation(JobService.method.updateJobSchedule, { onSuccess: async () => { setEditing(false); await qc.invalidateQueries(); } });
  const [editing, setEditing] = useState(false);
  const [cron, setCron] = useState("");
  const [cronTouched, setCronTouched] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const next = nextRuns.data?.nextRunTimes[0];
  const cantRun = useDenied("run.execute", job?.accountId);
  const cantWrite = useDenied("job.write", job?.accountId);

  return (
    <>
      <PageHeader
        back={{ href: "/jobs", label: "Jobs" }}
        title={
          <span className="flex items-center gap-3">
            {job?.name ?? "Job"}
            {job && (job.paused ? <Badge tone="yellow">Paused</Badge> : <Badge tone="green">Active</Badge>)}
          </span>
        }
        actions={
          job && (
            <>
              <Button variant="primary" busy={runNow.isPending} denied={cantRun} onClick={() => runNow.mutate({ jobId: id })}>
                Run now
              </Button>
              <Button busy={pause.isPending} denied={cantRun} onClick={() => pause.mutate({ id, pause: !job.paused })}>
                {job.paused ? "Resume" : "Pause"}
              </Button>
              <Button variant="danger" denied={cantWrite} onClick={() => { del.reset(); setConfirm(true); }}>
                Delete
              </Button>
            </>
          )
        }
      />
      <RoleNote reason={cantRun ?? cantWrite} />
      <ErrorBox error={q.error} title="Could not load the job" />
      {q.isLoading && <Loading />}
      <div className="space-y-3 mb-4">
        <ErrorBox error={runNow.error} title="Could not start a run" />
        <ErrorBox error={pause.error} title="Could not change the pause state" />
      </div>
      {job && (
        <div className="space-y-6">
          <Card title="Overview">
            <Dl
              items={[
                ["Type", job.type === JobType.GENERATE ? "Generate" : "Sync"],
                [
                  "Schedule",
                  editing ? (
                    <form
                      key="s"
                      className="flex flex-wrap items-start gap-2"
                      onSubmit={(e) => { e.preventDefault(); setCronTouched(true); if (!cronError(cron)) schedule.mutate({ id, cronSchedule: cron.trim() || undefined }); }}
                    >
                      <input aria-label="Cron schedule" aria-describedby="cron-help" aria-invalid={(cronTouched && !!cronError(cron)) || undefined} className={inputClass + " max-w-48 font-mono"} value={cron} onChange={(e) => setCron(e.target.value)} onBlur={() => setCronTouched(true)} placeholder="0 3 * * *" />
                      <Button type="submit" variant="primary" busy={schedule.isPending}>Save</Button>
                      <Button onClick={() => setEditing(false)}>Cancel</Button>
                      <p className="w-full text-xs text-slate-500">{cronTouched || !cronError(cron) ? <CronHint id="cron-help" expr={cron} /> : <span id="cron-help">Five-field cron in UTC; leave empty to run only manually.</span>}</p>
                      {schedule.error ? <div className="w-full"><ErrorBox error={schedule.error} title="Invalid schedule" /></div> : null}
                    </form>
                  ) : (
                    <span key="s" className="block">
                      <span className="flex items-center gap-2">
                        {job.cronSchedule ? <span className="font-mono">{job.cronSchedule}</span> : <span className="text-slate-500">Manual only</span>}
                        <button type="button" aria-label="Edit schedule" disabled={!!cantWrite} title={cantWrite} className="text-xs text-indigo-700 hover:underline disabled:cursor-not-allowed disabled:text-slate-400 disabled:no-underline" onClick={() => { schedule.reset(); setCron(job.cronSchedule ?? ""); setCronTouched(false); setEditing(true); }}>
                          Edit
                        </button>
                      </span>
                      {job.cronSchedule && <span className="block text-xs text-slate-600" data-testid="cron-description">{describeCron(job.cronSchedule)}</span>}
                    </span>
                  ),
                ],
                [
                  "Next run",
                  <span key="n" data-testid="next-run">
                    {!job.cronSchedule ? "—" : job.paused ? "None while paused" : next ? <>{formatLocal(timestampDate(next))} <span className="text-xs text-slate-500">({localZone()})</span></> : nextRuns.isLoading ? "…" : "—"}
                  </span>,
                ],
                ["Created", formatTime(job.createdAt)],
                ["Updated", formatTime(job.updatedAt)],
              ]}
            />
          </Card>

          {/* A disabled fieldset disables every control of the cards that change the job when the role may not. */}
          <fieldset disabled={!!cantWrite} title={cantWrite} className="grid min-w-0 gap-6">
            <SourceCard job={job} connName={connName} connections={conns.data?.connections ?? []} />
            <DestinationsCard job={job} connections={conns.data?.connections ?? []} connName={connName} />
          </fieldset>

          <PlanCheckCard job={job} />

          <Card title="Recent runs" actions={<Link className="text-xs text-indigo-700 hover:underline" href={`/runs?job=${id}`}>All runs of this job</Link>}>
            <ErrorBox error={runs.error} title="Could not load runs" />
            {runs.data && runs.data.recentRuns.length === 0 && <EmptyState title="No runs yet" description="Click Run now to copy the source into the destinations." />}
            {runs.data && runs.data.recentRuns.length > 0 && (
              <Table head={["Run", "Status", "Started", "Completed"]}>
                {runs.data.recentRuns.map((r) => (
                  <tr key={r.id}>
                    <Td><Link className="font-mono text-xs text-indigo-700 hover:underline" href={`/runs/${r.id}`}>{r.id.slice(0, 8)}</Link></Td>
                    <Td><Badge tone={statusTone[r.status]}>{statusLabel[r.status]}</Badge></Td>
                    <Td className="whitespace-nowrap">{formatTime(r.startedAt)}</Td>
                    <Td className="whitespace-nowrap">{formatTime(r.completedAt)}</Td>
                  </tr>
                ))}
              </Table>
            )}
          </Card>

          <fieldset disabled={!!cantWrite} title={cantWrite} className="min-w-0 space-y-6">
            <MappingsCard job={job} />
            <VirtualFkCard job={job} />
            <PrivacyCard job={job} />
            <RunOptionsCard job={job} />
          </fieldset>
        </div>
      )}
      <ConfirmDialog
        open={confirm}
        title={`Delete ${job?.name}?`}
        body="The job, its schedule and its run history are removed. Data already copied stays in the destinations."
        confirmLabel="Delete job"
        busy={del.isPending}
        error={del.error}
        onConfirm={() => del.mutate({ id })}
        onClose={() => setConfirm(false)}
      />
    </>
  );
}
