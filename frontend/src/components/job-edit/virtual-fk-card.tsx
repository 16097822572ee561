"use client";

import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConnectionDataService } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import { JobService, type Job } from "@/gen/mgmt/v1alpha1/job_pb";
import { VirtualFkEditor, vfkLabel, type VirtualFk } from "../virtual-fk-editor";
import { sourceConnectionId } from "./mappings-card";
import { Button, Card, ErrorBox, Loading } from "../ui";
import { EditActions } from "./edit-actions";

/**
 * VirtualFkCard lists a job's virtual foreign keys and edits them: the new
 * set is checked with ValidateJobMappings (cycles, unknown columns) and saved
 * with UpdateJobSourceConnection, keeping the source and mappings.
 */
export function VirtualFkCard({ job }: { job: Job }) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState<VirtualFk[]>([]);
  const [formError, setFormError] = useState("");
  const connectionId = sourceConnectionId(job);
  const schema = useQuery(ConnectionDataService.method.getConnectionSchema, { connectionId }, { enabled: editing && !!connectionId });
  const validate = useMutation(JobService.method.validateJobMappings);
  const save = useMutation(JobService.method.updateJobSourceConnection, {
    onSuccess: async () => {
      setEditing(false);
      await qc.invalidateQueries();
    },
  });
  const start = () => {
    setValue(job.virtualForeignKeys.map((v) => ({ ...v })));
    setFormError("");
    validate.reset();
    save.reset();
    setEditing(true);
  };
  const submit = async () => {
    setFormError("");
    const res = await validate.mutateAsync({ accountId: job.accountId, connectionId, mappings: job.mappings, virtualForeignKeys: value, jobType: job.type }).catch(() => undefined);
    if (!res) return;
    const errs = [...(res.databaseErrors?.errors ?? []), ...res.columnErrors.flatMap((c) => c.errors.map((e) => `${c.schema}.${c.table}.${c.column}: ${e}`))];
    if (errs.length) return setFormError(errs.join("; "));
    save.mutate({ id: job.id, source: job.source, mappings: job.mappings, virtualForeignKeys: value });
  };
  return (
    <Card
      title={`Virtual foreign keys (${job.virtualForeignKeys.length})`}
      actions={
        !editing && (
          <Button className="px-2 py-1" onClick={start}>
            Edit foreign keys
          </Button>
        )
      }
    >
      {editing ? (
        <div className="space-y-4">
          <ErrorBox error={schema.error} title="Could not read the source schema" />
          <ErrorBox error={validate.error} title="Could not validate the foreign keys" />
          {schema.isLoading ? <Loading label="Reading the source schema…" /> : <VirtualFkEditor columns={schema.data?.columns ?? []} value={value} onChange={setValue} />}
          <EditActions formError={formError} saveError={save.error} saveTitle="Could not save the foreign keys" label="Save foreign keys" onCancel={() => setEditing(false)} onSave={submit} busy={validate.isPending || save.isPending} disabled={!schema.data} />
        </div>
      ) : job.virtualForeignKeys.length === 0 ? (
        <p className="text-sm text-slate-500">None: only the database&apos;s own foreign keys are followed.</p>
      ) : (
        <ul className="space-y-1">
          {job.virtualForeignKeys.map((v) => (
            <li key={vfkLabel(v)} className="font-mono text-xs text-slate-800">
              {vfkLabel(v)}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
