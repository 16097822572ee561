"use client";

import Link from "next/link";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { JobService } from "@/gen/mgmt/v1alpha1/job_pb";
import { useDenied } from "@/lib/account";
import { formatDuration, formatTime } from "@/lib/format";
import { canRerun, isActive, runDurationMs, statusLabel, statusTone } from "@/lib/runs";
import { useNow } from "@/lib/use-now";
import { JsonReport } from "@/components/json-report";
import { ReportVerdict, withoutVerdict } from "@/components/report-verdict";
import { RunProgress } from "@/components/run-progress";
import { RunLogs } from "@/components/run-logs";
import { Tab, TabGroup, TabList, TabPanel, TabPanels } from "@headlessui/react";
import { Badge, Button, Card, ConfirmDialog, Dl, EmptyState, ErrorBox, Loading, PageHeader, RoleNote, Table, Td } from "@/components/ui";

export default function RunPage() {
  const { id } = useParams<{ id: string }>();
  const qc = useQueryClient();
  const q = useQuery(JobService.method.getJobRun, { jobRunId: id }, { refetchInterval: (s) => (!s.state.data || isActive(s.state.data.jobRun?.status ?? 0) ? 1000 : false) });
  const run = q.data?.jobRun;
  const active = run ? isActive(run.status) : false;
  const events = useQuery(JobService.method.getJobRunEvents, { jobRunId: id }, { refetchInterval: active ? 2000 : false });
  const job = useQuery(JobService.method.getJob, { id: run?.jobId }, { enabled: !!run });
  const [confirm, setConfirm] = useState<"cancel" | "terminate" | null>(null);
  const done = { onSuccess: async () => { setConfirm(null); await qc.invalidateQueries(); } };
  const cancel = useMutation(JobService.method.cancelJobRun, done);
  const terminate = useMutation(JobService.method.terminateJobRun, done);
  const router = useRouter();
  const rerun = useMutation(JobService.method.createJobRun, { onSuccess: async (r) => { await qc.invalidateQueries(); router.push(`/runs/${r.jobRun?.id}`); } });
  // The duration of a running run advances every second, between polls too.
  const now = useNow(active);
  const duration = run ? runDurationMs(run, now) : undefined;
  const denied = useDenied("run.execute", job.data?.job?.accountId);

  return (
    <>
      <PageHeader
        back={{ href: "/runs", label: "Runs" }}
        title={
          <span className="flex items-center gap-3">
            Run {id.slice(0, 8)}
            {run && (
              <Badge tone={statusTone[run.status]}>
                <span data-testid="run-status">{statusLabel[run.status]}</span>
              </Badge>
            )}
          </span>
        }
        description={job.data?.job ? <>Job <Link className="text-indigo-700 hover:underline" href={`/jobs/${job.data.job.id}`}>{job.data.job.name}</Link></> : undefined}
        actions={
          active ? (
            <>
              <Button denied={denied} onClick={() => { cancel.reset(); setConfirm("cancel"); }}>Cancel</Button>
              <Button variant="danger" denied={denied} onClick={() => { terminate.reset(); setConfirm("terminate"); }}>Terminate</Button>
            </>
          ) : run && canRerun(run.status) ? (
            <Button variant="primary" busy={rerun.isPending} denied={denied} onClick={() => rerun.mutate({ jobId: run.jobId })} title="Start a new run of this job">
              Rerun job
            </Button>
          ) : null
        }
      />
      {rerun.error ? <div className="mb-4"><ErrorBox error={rerun.error} title="Could not start a new run" /></div> : null}
      {(active || (run && canRerun(run.status))) && <RoleNote reason={denied} />}
      <ErrorBox error={q.error} title="Could not load the run" />
      {q.isLoading && <Loading />}
      {run && (
        <div className="space-y-6">
          {run.error && <ErrorBox error={new Error(run.error)} title="The run failed" />}
          <Card>
            <Dl
              items={[
                ["Started", formatTime(run.startedAt)],
                ["Completed", formatTime(run.completedAt)],
                ["Duration", <span key="d" data-testid="run-duration" className="tabular-nums">{duration === undefined ? "—" : formatDuration(duration)}</span>],
                ["Workflow", <span key="w" className="font-mono text-xs">{run.workflowId || "—"}</span>],
              ]}
            />
          </Card>
          <Card title={active ? "Progress (live)" : "Tables"}>
            <RunProgress run={run} now={now} />
          </Card>
          <Card title="Verification report">
            {run.report && Object.keys(run.report).length > 0 ? (
              <>
                <ReportVerdict report={run.report} />
                <JsonReport value={withoutVerdict(run.report)} />
              </>
            ) : (
              <p className="text-sm text-slate-500">{active ? "The report is written when the run finishes." : "This run has no report."}</p>
            )}
          </Card>
          <Card>
            <TabGroup>
              <TabList className="mb-3 flex gap-1 border-b border-slate-200">
                {["Events", "Logs"].map((t) => (
                  <Tab key={t} className="-mb-px border-b-2 border-transparent px-3 py-1.5 text-sm font-medium text-slate-600 data-[selected]:border-indigo-600 data-[selected]:text-indigo-700 focus:outline-none data-[focus]:ring-2 data-[focus]:ring-indigo-500">
                    {t}
                  </Tab>
                ))}
              </TabList>
              <TabPanels>
                <TabPanel>
                  <ErrorBox error={events.error} title="Could not load events" />
                  {events.data && events.data.events.length === 0 && <EmptyState title="No events" />}
                  {events.data && events.data.events.length > 0 && (
                    <div className="max-h-96 overflow-y-auto">
                      <Table head={["Time", "Level", "Table", "Message"]}>
                        {events.data.events.map((e) => (
                          <tr key={e.id.toString()}>
                            <Td className="whitespace-nowrap text-xs">{formatTime(e.time)}</Td>
                            <Td>
                              <Badge tone={e.level === "error" ? "red" : e.level === "warn" ? "yellow" : "gray"}>{e.level}</Badge>
                            </Td>
                            <Td className="font-mono text-xs">{e.table ? `${e.schema}.${e.table}` : "—"}</Td>
                            <Td className="text-xs">{e.message}</Td>
                          </tr>
                        ))}
                      </Table>
                    </div>
                  )}
                </TabPanel>
                <TabPanel>
                  <RunLogs jobRunId={id} active={active} />
                </TabPanel>
              </TabPanels>
            </TabGroup>
          </Card>
        </div>
      )}
      <ConfirmDialog
        open={confirm !== null}
        title={confirm === "cancel" ? "Cancel this run?" : "Terminate this run?"}
        body={confirm === "cancel" ? "The worker stops after the batches in flight and records what was copied." : "The run stops immediately. Tables being copied may be left partially written."}
        confirmLabel={confirm === "cancel" ? "Cancel run" : "Terminate run"}
        busy={cancel.isPending || terminate.isPending}
        error={cancel.error ?? terminate.error}
        onConfirm={() => (confirm === "cancel" ? cancel.mutate({ jobRunId: id }) : terminate.mutate({ jobRunId: id }))}
        onClose={() => setConfirm(null)}
      />
    </>
  );
}
