"use client";

import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConnectionDataService } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import { JobService, JobType, type Job } from "@/gen/mgmt/v1alpha1/job_pb";
import { TransformersService } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { choicesOf, columnKey, fallbackChoice, mappingsOf, paramErrorsOf, type ColumnChoice } from "@/lib/mappings";
import { draftFromConfig, summarizeDraft } from "@/lib/transformer-params";
import { MappingEditor } from "../mapping-editor";
import { Badge, Button, Card, EmptyState, ErrorBox, Loading, Table, Td } from "../ui";
import { EditActions } from "./edit-actions";

/** sourceConnectionId is the connection a job reads rows (sync) or its schema (generate) from. */
export function sourceConnectionId(job: Job): string {
  const o = job.source?.options;
  return o?.case === "sync" ? o.value.connectionId : o?.case === "generate" ? o.value.fkSourceConnectionId : "";
}

/**
 * MappingsCard shows a job's column mappings with their parameters and lets
 * them be edited in the mapping editor: the source schema is read again, the
 * mappings are checked (parameters, then ValidateJobMappings) and saved with
 * UpdateJobSourceConnection, keeping the source and virtual foreign keys.
 */
export function MappingsCard({ job }: { job: Job }) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [choices, setChoices] = useState<Record<string, ColumnChoice>>({});
  const [formError, setFormError] = useState("");
  const connectionId = sourceConnectionId(job);
  const ts = useQuery(TransformersService.method.getSystemTransformers, {}, { staleTime: Infinity });
  const udts = useQuery(TransformersService.method.getUserDefinedTransformers, { accountId: job.accountId });
  const schema = useQuery(ConnectionDataService.method.getConnectionSchema, { connectionId }, { enabled: editing && !!connectionId });
  const constraints = useQuery(ConnectionDataService.method.getConnectionTableConstraints, { connectionId }, { enabled: editing && !!connectionId });
  const validate = useMutation(JobService.method.validateJobMappings);
  const save = useMutation(JobService.method.updateJobSourceConnection, {
    onSuccess: async () => {
      setEditing(false);
      await qc.invalidateQueries();
    },
  });
  const sys = ts.data?.transformers ?? [];
  const user = udts.data?.transformers ?? [];
  const columns = schema.data?.columns ?? [];
  const paramErrors = paramErrorsOf(choices, sys);
  const columnErrors: Record<string, string[]> = {};
  for (const e of validate.data?.columnErrors ?? []) columnErrors[columnKey(e.schema, e.table, e.column)] = e.errors;
  const dbErrors = validate.data?.databaseErrors?.errors ?? [];

  const start = () => {
    setChoices(choicesOf(job.mappings, sys));
    setFormError("");
    validate.reset();
    save.reset();
    setEditing(true);
  };
  const submit = async () => {
    setFormError("");
    if (Object.keys(paramErrors).length) return setFormError("Fix the transformer parameters shown in place.");
    const mappings = mappingsOf(columns, choices, sys, user, fallbackChoice(job.type === JobType.GENERATE ? "generate" : "sync"));
    const res = await validate.mutateAsync({ accountId: job.accountId, connectionId, mappings, virtualForeignKeys: job.virtualForeignKeys, jobType: job.type }).catch(() => undefined);
    if (!res) return;
    if (res.columnErrors.length || res.databaseErrors?.errors.length) return setFormError("Fix the mapping errors shown in place.");
    save.mutate({ id: job.id, source: job.source, mappings, virtualForeignKeys: job.virtualForeignKeys });
  };

  const udtName = (id?: string) => user.find((u) => u.id === id)?.name;
  return (
    <Card
      title={`Mappings (${job.mappings.length})`}
      actions={
        !editing && (
          <Button className="px-2 py-1" onClick={start} disabled={!ts.data}>
            Edit mappings
          </Button>
        )
      }
    >
      {editing ? (
        <div className="space-y-4">
          <ErrorBox error={schema.error ?? constraints.error} title="Could not read the source schema" />
          <ErrorBox error={validate.error} title="Could not validate the mappings" />
          {dbErrors.length > 0 && <ErrorBox error={new Error(dbErrors.join("; "))} title="The mappings do not fit the database" />}
          {schema.isLoading || constraints.isLoading ? (
            <Loading label="Reading the source schema…" />
          ) : (
            <MappingEditor
              columns={columns}
              constraints={constraints.data?.tables ?? []}
              transformers={sys}
              userTransformers={user}
              jobType={job.type === JobType.GENERATE ? "generate" : "sync"}
              value={choices}
              errors={columnErrors}
              paramErrors={paramErrors}
              onChange={(keys, c) => {
                setChoices((m) => {
                  const n = { ...m };
                  for (const k of keys) n[k] = c;
                  return n;
                });
                validate.reset();
              }}
            />
          )}
          <EditActions formError={formError} saveError={save.error} saveTitle="Could not save the mappings" label="Save mappings" onCancel={() => setEditing(false)} onSave={submit} busy={validate.isPending || save.isPending} disabled={!schema.data} />
        </div>
      ) : job.mappings.length === 0 ? (
        <EmptyState title="No column mappings" description="Every column is copied as is." />
      ) : (
        <Table head={["Table", "Column", "Transformer", "Parameters"]}>
          {job.mappings.map((m) => {
            const t = sys.find((x) => x.source === m.transformer?.source);
            const udt = udtName(m.transformer?.userDefinedTransformerId);
            return (
              <tr key={`${m.schema}.${m.table}.${m.column}`}>
                <Td className="font-mono text-xs">
                  {m.schema}.{m.table}
                </Td>
                <Td className="font-mono text-xs">{m.column}</Td>
                <Td>
                  <Badge tone={m.transformer?.source === "passthrough" ? "gray" : "indigo"}>{udt ?? m.transformer?.source ?? "passthrough"}</Badge>
                </Td>
                <Td className="font-mono text-xs text-slate-600">{udt ? "saved transformer" : summarizeDraft(t, draftFromConfig(t, m.transformer?.config)) || "—"}</Td>
              </tr>
            );
          })}
        </Table>
      )}
    </Card>
  );
}
