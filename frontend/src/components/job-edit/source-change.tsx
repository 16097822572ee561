"use client";

import { useMutation } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { Connection } from "@/gen/mgmt/v1alpha1/connection_pb";
import { JobService, type Job, type JobSource } from "@/gen/mgmt/v1alpha1/job_pb";
import { sourceConnectionId } from "./mappings-card";
import { checkDestinations, connectionLabel, destinationDraftOf } from "../destination-form";
import { Button, ErrorBox, Field, inputClass } from "../ui";

/** withConnection returns the job's source reading from another connection, everything else kept. */
export function withConnection(source: JobSource | undefined, connectionId: string): JobSource | undefined {
  const o = source?.options;
  if (o?.case === "sync") return { ...source!, options: { case: "sync", value: { ...o.value, connectionId } } };
  if (o?.case === "generate") return { ...source!, options: { case: "generate", value: { ...o.value, fkSourceConnectionId: connectionId } } };
  return source;
}

/**
 * SourceChange moves a job to another source connection (for a generate
 * job, another schema connection). The job's mappings and virtual foreign
 * keys are first checked against the new connection with
 * ValidateJobMappings, so a source without the mapped columns is refused
 * with the reasons; then UpdateJobSourceConnection saves it, subsets kept.
 */
export function SourceChange({ job, connections, onDone }: { job: Job; connections: Connection[]; onDone: () => void }) {
  const qc = useQueryClient();
  const current = sourceConnectionId(job);
  const [target, setTarget] = useState("");
  const [problems, setProblems] = useState<string[]>([]);
  const validate = useMutation(JobService.method.validateJobMappings);
  const save = useMutation(JobService.method.updateJobSourceConnection, {
    onSuccess: async () => {
      await qc.invalidateQueries();
      onDone();
    },
  });
  const sync = job.source?.options.case === "sync";
  const submit = async () => {
    setProblems([]);
    if (!target || target === current) return setProblems(["Choose a different connection."]);
    if (job.destinations.some((d) => d.connectionId === target))
      return setProblems([sync ? "This connection is a destination of the job; a sync cannot read from it too." : "This connection is a destination of the job; a generate job never writes into the database its schema comes from."]);
    const kinds = checkDestinations(job.destinations.map(destinationDraftOf), target, connections, !sync).map((e) => e.connectionId).filter((e): e is string => !!e);
    if (kinds.length) return setProblems(kinds);
    const res = await validate.mutateAsync({ accountId: job.accountId, connectionId: target, mappings: job.mappings, virtualForeignKeys: job.virtualForeignKeys, jobType: job.type }).catch(() => undefined);
    if (!res) return;
    const errs = [...(res.databaseErrors?.errors ?? []), ...res.columnErrors.flatMap((c) => c.errors.map((e) => `${c.schema}.${c.table}.${c.column}: ${e}`))];
    if (errs.length) return setProblems(errs);
    save.mutate({ id: job.id, source: withConnection(job.source, target), mappings: job.mappings, virtualForeignKeys: job.virtualForeignKeys });
  };
  return (
    <div className="space-y-3 rounded-md border border-indigo-200 bg-indigo-50/40 p-4" role="group" aria-label="Change source">
      <Field label={sync ? "New source connection" : "New schema connection"} htmlFor="source-change" hint="The mappings are checked against it before anything is saved.">
        <select id="source-change" className={inputClass} value={target} onChange={(e) => { setTarget(e.target.value); setProblems([]); }} aria-invalid={problems.length > 0 || undefined}>
          <option value="">Choose a connection…</option>
          {connections
            .filter((c) => c.id !== current)
            .map((c) => (
              <option key={c.id} value={c.id}>
                {connectionLabel(c)}
              </option>
            ))}
        </select>
      </Field>
      {problems.length > 0 && (
        <div role="alert" className="text-sm text-red-700">
          <p className="font-medium">The job does not fit this connection:</p>
          <ul className="mt-1 list-disc pl-5 text-xs">
            {problems.slice(0, 10).map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
          {problems.length > 10 && <p className="text-xs">…and {problems.length - 10} more.</p>}
        </div>
      )}
      <ErrorBox error={validate.error ?? save.error} title="Could not change the source" />
      <div className="flex justify-end gap-2">
        <Button onClick={onDone}>Cancel</Button>
        <Button variant="primary" onClick={submit} busy={validate.isPending || save.isPending}>
          Change source
        </Button>
      </div>
    </div>
  );
}
