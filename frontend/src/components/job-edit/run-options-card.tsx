"use client";

import { useMutation } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { JobService, type Job } from "@/gen/mgmt/v1alpha1/job_pb";
import { Button, Card, Dl, Field, inputClass } from "../ui";
import { EditActions } from "./edit-actions";

/** fields are the editable run limits: key, label, hint and upper bound. */
const fields = [
  ["runTimeout", "Run timeout", "Seconds a whole run may take; empty for no limit.", 31_536_000],
  ["scheduleToClose", "Table timeout (schedule to close)", "Seconds one table may take including retries.", 31_536_000],
  ["startToClose", "Table attempt timeout (start to close)", "Seconds one attempt at a table may take.", 31_536_000],
  ["heartbeat", "Heartbeat timeout", "Seconds without progress before an attempt is retried.", 86_400],
  ["maxAttempts", "Max attempts per table", "1 to 100; empty for the worker's default.", 100],
] as const;

type Key = (typeof fields)[number][0];
/** RunOptionsDraft holds the run option inputs as typed; empty means the default. */
export type RunOptionsDraft = Record<Key, string>;

/** runOptionsDraftOf reads a job's workflow and sync options into form state. */
export function runOptionsDraftOf(job: Job): RunOptionsDraft {
  const s = (v: bigint | number | undefined) => (v === undefined || v === 0n || v === 0 ? "" : String(v));
  return {
    runTimeout: s(job.workflowOptions?.runTimeoutSeconds),
    scheduleToClose: s(job.syncOptions?.scheduleToCloseTimeoutSeconds),
    startToClose: s(job.syncOptions?.startToCloseTimeoutSeconds),
    heartbeat: s(job.syncOptions?.heartbeatTimeoutSeconds),
    maxAttempts: s(job.syncOptions?.maxAttempts),
  };
}

/** checkRunOptions returns an error per field that is not empty or a whole number from 1 to its bound. */
export function checkRunOptions(d: RunOptionsDraft): Partial<Record<Key, string>> {
  const out: Partial<Record<Key, string>> = {};
  for (const [k, , , max] of fields) {
    const v = d[k].trim();
    if (v && (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max)) out[k] = `A whole number from 1 to ${max.toLocaleString()}, or empty.`;
  }
  return out;
}

/**
 * RunOptionsCard shows and edits the limits of a job's runs: the workflow's
 * run timeout (SetJobWorkflowOptions) and each table activity's timeouts and
 * attempts (SetJobSyncOptions).
 */
export function RunOptionsCard({ job }: { job: Job }) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<RunOptionsDraft>(runOptionsDraftOf(job));
  const [errors, setErrors] = useState<Partial<Record<Key, string>>>({});
  const wf = useMutation(JobService.method.setJobWorkflowOptions);
  const sync = useMutation(JobService.method.setJobSyncOptions);
  const n = (v: string) => (v.trim() ? BigInt(v.trim()) : undefined);
  const submit = async () => {
    const e = checkRunOptions(draft);
    setErrors(e);
    if (Object.keys(e).length) return;
    try {
      await wf.mutateAsync({ id: job.id, workflowOptions: { runTimeoutSeconds: n(draft.runTimeout) } });
      await sync.mutateAsync({
        id: job.id,
        syncOptions: {
          scheduleToCloseTimeoutSeconds: n(draft.scheduleToClose),
          startToCloseTimeoutSeconds: n(draft.startToClose),
          heartbeatTimeoutSeconds: n(draft.heartbeat),
          maxAttempts: draft.maxAttempts.trim() ? Number(draft.maxAttempts) : undefined,
        },
      });
      setEditing(false);
      await qc.invalidateQueries();
    } catch {
      // shown by the ErrorBox below
    }
  };
  const current = runOptionsDraftOf(job);
  return (
    <Card
      title="Run options"
      actions={
        !editing && (
          <Button className="px-2 py-1" onClick={() => { setDraft(runOptionsDraftOf(job)); setErrors({}); wf.reset(); sync.reset(); setEditing(true); }}>
            Edit options
          </Button>
        )
      }
    >
      {editing ? (
        <form className="space-y-4" onSubmit={(e) => { e.preventDefault(); submit(); }}>
          <div className="grid gap-4 sm:grid-cols-2">
            {fields.map(([k, label, hint]) => (
              <Field key={k} label={label} htmlFor={`opt-${k}`} hint={hint} error={errors[k]}>
                <input id={`opt-${k}`} inputMode="numeric" className={inputClass} value={draft[k]} placeholder="default" onChange={(e) => setDraft({ ...draft, [k]: e.target.value })} aria-invalid={!!errors[k] || undefined} />
              </Field>
            ))}
          </div>
          <EditActions saveError={wf.error ?? sync.error} saveTitle="Could not save the run options" label="Save options" onCancel={() => setEditing(false)} busy={wf.isPending || sync.isPending} />
        </form>
      ) : (
        <Dl items={fields.map(([k, label]) => [label, current[k] ? (k === "maxAttempts" ? current[k] : `${Number(current[k]).toLocaleString()} s`) : <span key={k} className="text-slate-500">default</span>])} />
      )}
    </Card>
  );
}
