"use client";

import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConnectionDataService } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import { ConnectionService } from "@/gen/mgmt/v1alpha1/connection_pb";
import { JobService } from "@/gen/mgmt/v1alpha1/job_pb";
import { TransformersService } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { useAccount } from "@/lib/account";
import { MappingEditor, columnKey } from "@/components/mapping-editor";
import { Button, ButtonLink, Card, EmptyState, ErrorBox, Field, Loading, PageHeader, cx, inputClass } from "@/components/ui";

const steps = ["Define", "Connect", "Schema", "Review"] as const;
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export default function NewJobPage() {
  const router = useRouter();
  const qc = useQueryClient();
  const { account, error: accountError } = useAccount();
  const [step, setStep] = useState(0);
  const [name, setName] = useState("");
  const [cron, setCron] = useState("");
  const [sourceId, setSourceId] = useState("");
  const [destId, setDestId] = useState("");
  const [initSchema, setInitSchema] = useState(true);
  const [truncate, setTruncate] = useState(true);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [runNow, setRunNow] = useState(true);
  const [stepError, setStepError] = useState("");

  const conns = useQuery(ConnectionService.method.getConnections, { accountId: account?.id }, { enabled: !!account });
  const schema = useQuery(ConnectionDataService.method.getConnectionSchema, { connectionId: sourceId }, { enabled: step >= 2 && !!sourceId });
  const constraints = useQuery(ConnectionDataService.method.getConnectionTableConstraints, { connectionId: sourceId }, { enabled: step >= 2 && !!sourceId });
  const transformers = useQuery(TransformersService.method.getSystemTransformers, {}, { staleTime: Infinity });
  const validateM = useMutation(JobService.method.validateJobMappings);
  const createJob = useMutation(JobService.method.createJob, {
    onSuccess: async (res) => {
      await qc.invalidateQueries();
      router.push(`/jobs/${res.job?.id}`);
    },
  });

  const columns = schema.data?.columns ?? [];
  const mappings = columns.map((c) => ({
    schema: c.schema,
    table: c.table,
    column: c.column,
    transformer: { source: mapping[columnKey(c.schema, c.table, c.column)] ?? "passthrough", config: {} },
  }));
  const columnErrors: Record<string, string[]> = {};
  for (const e of validateM.data?.columnErrors ?? []) columnErrors[columnKey(e.schema, e.table, e.column)] = e.errors;
  const dbErrors = validateM.data?.databaseErrors?.errors ?? [];
  const connName = (id: string) => conns.data?.connections.find((c) => c.id === id)?.name ?? "";

  const next = async () => {
    setStepError("");
    if (step === 0 && !namePattern.test(name)) return setStepError("Name: letters, digits, '.', '_' and '-', starting with a letter or digit.");
    if (step === 1) {
      if (!sourceId || !destId) return setStepError("Choose a source and a destination.");
      if (sourceId === destId) return setStepError("The destination must be a different connection from the source.");
    }
    if (step === 2) {
      const res = await validateM.mutateAsync({ accountId: account!.id, connectionId: sourceId, mappings }).catch(() => undefined);
      if (!res) return;
      if (res.columnErrors.length || res.databaseErrors?.errors.length) return setStepError("Fix the mapping errors shown in place before continuing.");
    }
    setStep((s) => s + 1);
  };

  const submit = () =>
    createJob.mutate({
      accountId: account!.id,
      jobName: name,
      cronSchedule: cron.trim() || undefined,
      source: { options: { case: "sync", value: { connectionId: sourceId } } },
      destinations: [{ connectionId: destId, options: { initTableSchema: initSchema, truncateBeforeInsert: truncate, truncateCascade: truncate } }],
      mappings,
      initiateJobRun: runNow,
    });

  if (accountError) return <ErrorBox error={accountError} />;
  if (!account || conns.isLoading) return <Loading />;
  const connections = conns.data?.connections ?? [];

  return (
    <div className="max-w-4xl">
      <PageHeader title="New job" back={{ href: "/jobs", label: "Jobs" }} description="Copy a source database into a destination, anonymizing the columns you choose." />
      <ol className="mb-6 flex flex-wrap gap-2 text-sm" aria-label="Steps">
        {steps.map((s, i) => (
          <li key={s} aria-current={i === step ? "step" : undefined} className={cx("flex items-center gap-2 rounded-full px-3 py-1", i === step ? "bg-indigo-600 text-white" : i < step ? "bg-indigo-50 text-indigo-700" : "bg-slate-100 text-slate-500")}>
            <span className="font-semibold">{i + 1}</span> {s}
          </li>
        ))}
      </ol>
      <ErrorBox error={conns.error} title="Could not load connections" />
      {connections.length < 2 && conns.data ? (
        <EmptyState title="You need two connections" description="A job reads from a source connection and writes to a destination connection." action={<ButtonLink href="/connections/new">New connection</ButtonLink>} />
      ) : (
        <div className="space-y-4">
          {step === 0 && (
            <Card>
              <div className="space-y-4">
                <Field label="Job name" htmlFor="job-name" hint="e.g. nightly-prod-to-staging">
                  <input id="job-name" className={inputClass} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
                </Field>
                <Field label="Schedule (optional)" htmlFor="job-cron" hint="Five-field cron such as 0 3 * * *; leave empty to run only manually.">
                  <input id="job-cron" className={inputClass + " font-mono"} value={cron} onChange={(e) => setCron(e.target.value)} placeholder="0 3 * * *" />
                </Field>
              </div>
            </Card>
          )}
          {step === 1 && (
            <Card>
              <div className="grid gap-4 sm:grid-cols-2">
                <Field label="Source" htmlFor="job-source" hint="Read-only access is enough.">
                  <select id="job-source" className={inputClass} value={sourceId} onChange={(e) => { setSourceId(e.target.value); setMapping({}); validateM.reset(); }}>
                    <option value="">Choose a connection…</option>
                    {connections.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                  </select>
                </Field>
                <Field label="Destination" htmlFor="job-dest" hint="Its tables are overwritten.">
                  <select id="job-dest" className={inputClass} value={destId} onChange={(e) => setDestId(e.target.value)}>
                    <option value="">Choose a connection…</option>
                    {connections.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                  </select>
                </Field>
                <label className="flex items-start gap-2 text-sm sm:col-span-2">
                  <input type="checkbox" className="mt-0.5" checked={initSchema} onChange={(e) => setInitSchema(e.target.checked)} />
                  <span><span className="font-medium">Create missing tables</span><span className="block text-xs text-slate-500">Copy the source&apos;s table definitions into the destination first.</span></span>
                </label>
                <label className="flex items-start gap-2 text-sm sm:col-span-2">
                  <input type="checkbox" className="mt-0.5" checked={truncate} onChange={(e) => setTruncate(e.target.checked)} />
                  <span><span className="font-medium">Truncate before copying (cascade)</span><span className="block text-xs text-slate-500">Empties destination tables so reruns do not duplicate rows.</span></span>
                </label>
              </div>
            </Card>
          )}
          {step === 2 && (
            <>
              <ErrorBox error={schema.error ?? constraints.error ?? transformers.error} title="Could not read the source schema" />
              <ErrorBox error={validateM.error} title="Could not validate the mappings" />
              {dbErrors.length > 0 && <ErrorBox error={new Error(dbErrors.join("; "))} title="The mappings do not fit the database" />}
              {schema.isLoading || constraints.isLoading || transformers.isLoading ? (
                <Loading label="Reading the source schema…" />
              ) : columns.length === 0 && schema.data ? (
                <EmptyState title="The source has no tables" description="Check that the connection's role can read the tables you want to copy." />
              ) : (
                <MappingEditor
                  columns={columns}
                  constraints={constraints.data?.tables ?? []}
                  transformers={transformers.data?.transformers ?? []}
                  value={mapping}
                  errors={columnErrors}
                  onChange={(k, s) => { setMapping((m) => ({ ...m, [k]: s })); validateM.reset(); }}
                />
              )}
            </>
          )}
          {step === 3 && (
            <Card title="Review">
              <dl className="grid gap-3 text-sm sm:grid-cols-2">
                <div><dt className="text-xs uppercase text-slate-500">Name</dt><dd>{name}</dd></div>
                <div><dt className="text-xs uppercase text-slate-500">Schedule</dt><dd className="font-mono">{cron || "manual"}</dd></div>
                <div><dt className="text-xs uppercase text-slate-500">Source</dt><dd>{connName(sourceId)}</dd></div>
                <div><dt className="text-xs uppercase text-slate-500">Destination</dt><dd>{connName(destId)}</dd></div>
                <div className="sm:col-span-2"><dt className="text-xs uppercase text-slate-500">Columns</dt><dd>{mappings.length} columns, {mappings.filter((m) => m.transformer.source !== "passthrough").length} transformed</dd></div>
              </dl>
              <label className="mt-4 flex items-center gap-2 text-sm">
                <input type="checkbox" checked={runNow} onChange={(e) => setRunNow(e.target.checked)} /> Run the job as soon as it is created
              </label>
            </Card>
          )}
          {stepError && <p role="alert" className="text-sm text-red-700">{stepError}</p>}
          <ErrorBox error={createJob.error} title="Could not create the job" />
          <div className="flex justify-between gap-2">
            <Button onClick={() => { setStepError(""); setStep((s) => s - 1); }} disabled={step === 0}>Back</Button>
            {step < 3 ? (
              <Button variant="primary" onClick={next} busy={validateM.isPending}>{step === 2 ? "Validate and continue" : "Continue"}</Button>
            ) : (
              <Button variant="primary" onClick={submit} busy={createJob.isPending}>Create job</Button>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
