"use client";

import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConnectionDataService } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import { ConnectionService } from "@/gen/mgmt/v1alpha1/connection_pb";
import { JobService, JobType } from "@/gen/mgmt/v1alpha1/job_pb";
import { TransformersService } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { useAccount, useDenied } from "@/lib/account";
import { cronError } from "@/lib/cron";
import { CronHint } from "@/components/schedule";
import { columnKey, fallbackChoice, mappingsOf, paramErrorsOf, type ColumnChoice } from "@/lib/mappings";
import { MappingEditor, jobTransformers } from "@/components/mapping-editor";
import { PiiSuggestions } from "@/components/pii-suggestions";
import { usePiiSuggestions } from "@/lib/pii";
import { TableScope } from "@/components/table-scope";
import { DestinationBadges, DestinationList, checkDestinations, connectionLabel, destinationOptionsOf, hasErrors, newDestination, onConflictLabel, type DestinationDraft, type DestinationErrors } from "@/components/destination-form";
import { SubsetEditor, subsetsOf, tableKey, useSubsetChecks, type SubsetTable } from "@/components/subset-editor";
import { Button, ButtonLink, Card, EmptyState, ErrorBox, Field, Loading, PageHeader, RoleNote, cx, inputClass, revealFirstError } from "@/components/ui";
import { GenerateRows, checkRowCounts, generateTablesOf } from "@/components/generate-rows";
import { VirtualFkEditor, type VirtualFk } from "@/components/virtual-fk-editor";
import { PrivacyFields } from "@/components/privacy-fields";
import { checkPrivacy, clearChanged, leakPolicyOf, prfOf, privacyDraftOf, serverFieldErrors, type PrivacyDraft, type PrivacyErrors } from "@/lib/privacy";
import { errorMessage } from "@/lib/errors";

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** NewJobPage is the job wizard: define, connect, schema, subset (or rows for generate jobs), review. */
export default function NewJobPage() {
  const router = useRouter();
  const qc = useQueryClient();
  const { account, error: accountError } = useAccount();
  const denied = useDenied("job.write");
  const [step, setStep] = useState(0);
  const [reached, setReached] = useState(0);
  const [kind, setKind] = useState<"sync" | "generate">("sync");
  const [name, setName] = useState("");
  const [cron, setCron] = useState("");
  const [sourceId, setSourceId] = useState("");
  const [dests, setDests] = useState<DestinationDraft[]>([newDestination()]);
  const [destErrors, setDestErrors] = useState<DestinationErrors[]>([]);
  const [choices, setChoices] = useState<Record<string, ColumnChoice>>({});
  const [vfks, setVfks] = useState<VirtualFk[]>([]);
  const [excluded, setExcluded] = useState<Set<string>>(new Set());
  const [where, setWhere] = useState<Record<string, string>>({});
  const [followFks, setFollowFks] = useState(true);
  const [rowCounts, setRowCounts] = useState<Record<string, string>>({});
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [runNow, setRunNow] = useState(true);
  const [privacy, setPrivacy] = useState<PrivacyDraft>(privacyDraftOf());
  const [privacyErrors, setPrivacyErrors] = useState<PrivacyErrors>({});
  const [stepError, setStepError] = useState("");
  const steps = ["Define", "Connect", "Schema", kind === "sync" ? "Subset" : "Rows", "Review"];

  const conns = useQuery(ConnectionService.method.getConnections, { accountId: account?.id }, { enabled: !!account });
  const schema = useQuery(ConnectionDataService.method.getConnectionSchema, { connectionId: sourceId }, { enabled: step >= 2 && !!sourceId });
  const constraints = useQuery(ConnectionDataService.method.getConnectionTableConstraints, { connectionId: sourceId }, { enabled: step >= 2 && !!sourceId });
  const transformers = useQuery(TransformersService.method.getSystemTransformers, {}, { staleTime: Infinity });
  const udts = useQuery(TransformersService.method.getUserDefinedTransformers, { accountId: account?.id }, { enabled: !!account });
  const subsetChecks = useSubsetChecks(sourceId);
  const pii = usePiiSuggestions(sourceId, step === 2 && kind === "sync", jobTransformers(transformers.data?.transformers ?? [], "sync"));
  const validateM = useMutation(JobService.method.validateJobMappings);
  const createJob = useMutation(JobService.method.createJob, {
    onSuccess: async (res) => {
      await qc.invalidateQueries();
      router.push(`/jobs/${res.job?.id}`);
    },
    onError: (err) => setPrivacyErrors(serverFieldErrors(errorMessage(err))),
  });

  const allColumns = schema.data?.columns ?? [];
  const allTables = [...new Set(allColumns.map((c) => `${c.schema}.${c.table}`))].sort();
  // Tables left out get no mappings: the job neither reads nor writes them.
  const columns = excluded.size ? allColumns.filter((c) => !excluded.has(`${c.schema}.${c.table}`)) : allColumns;
  const sysTs = transformers.data?.transformers ?? [];
  const userTs = udts.data?.transformers ?? [];
  const tables: SubsetTable[] = [...new Map(columns.map((c) => [`${c.schema}.${c.table}`, { schema: c.schema, table: c.table }])).values()].sort((a, b) => tableKey(a).localeCompare(tableKey(b)));
  const mappings = mappingsOf(columns, choices, sysTs, userTs, fallbackChoice(kind));
  const paramErrors = paramErrorsOf(choices, sysTs);
  const columnErrors: Record<string, string[]> = {};
  for (const e of validateM.data?.columnErrors ?? []) columnErrors[columnKey(e.schema, e.table, e.column)] = e.errors;
  const dbErrors = validateM.data?.databaseErrors?.errors ?? [];
  // Warnings do not stop the job; the review step shows them before it is created.
  const mappingWarnings = [
    ...(validateM.data?.columnWarnings ?? []).flatMap((w) => {
      const col = `${w.schema}.${w.table}.${w.column}`;
      return w.errors.map((e) => (e.includes(col) ? e : `${col}: ${e}`));
    }),
    ...(validateM.data?.warnings ?? []),
  ];
  const connections = conns.data?.connections ?? [];
  const connName = (id: string) => conns.data?.connections.find((c) => c.id === id)?.name ?? "";
  const subsets = subsetsOf(where, tables);

  // check validates one step's inputs, showing what is wrong in place; true when it may be left forward.
  const check = async (at: number): Promise<boolean> => {
    const fail = (m: string) => (setStepError(m), false);
    if (at === 0) {
      if (!namePattern.test(name)) return fail("Name: letters, digits, '.', '_' and '-', starting with a letter or digit.");
      const ce = cronError(cron);
      if (ce) return fail(`Schedule: ${ce}`);
    }
    if (at === 1) {
      if (!sourceId) return fail(kind === "sync" ? "Choose a source." : "Choose the connection whose schema the rows follow.");
      const errs = checkDestinations(dests, sourceId, connections, kind !== "sync");
      setDestErrors(errs);
      if (hasErrors(errs)) return fail("Fix the destinations shown above.");
    }
    if (at === 2) {
      if (columns.length === 0) return fail("Include at least one table.");
      if (Object.keys(paramErrors).length) return fail("Fix the transformer parameters shown in place before continuing.");
      const res = await validateM.mutateAsync({ accountId: account!.id, connectionId: sourceId, mappings, virtualForeignKeys: vfks, jobType: kind === "generate" ? JobType.GENERATE : JobType.SYNC }).catch(() => undefined);
      if (!res) return false;
      if (res.columnErrors.length || res.databaseErrors?.errors.length) return fail("Fix the mapping errors shown in place before continuing.");
    }
    if (at === 3) {
      if (kind === "sync") {
        if (!(await subsetChecks.checkAll(tables, where))) return fail("Fix the WHERE clauses shown in place before continuing.");
      } else {
        const errs = checkRowCounts(tables, rowCounts);
        setRowErrors(errs);
        if (Object.keys(errs).length) return fail("Fix the row counts shown in place before continuing.");
      }
    }
    return true;
  };

  // goTo moves to step i: back at once, forward through every step's checks, stopping at the first that fails.
  const goTo = async (i: number) => {
    setStepError("");
    for (let at = step; at < i; at++) {
      if (!(await check(at))) {
        setStep(at);
        revealFirstError();
        return;
      }
    }
    setStep(i);
    setReached((r) => Math.max(r, i));
  };
  const next = () => goTo(step + 1);

  const submit = () => {
    if (kind === "sync") {
      const e = checkPrivacy(privacy);
      setPrivacyErrors(e);
      if (Object.keys(e).length) return setStepError("Fix the privacy settings shown in place.");
    }
    setStepError("");
    createJob.mutate({
      accountId: account!.id,
      jobName: name,
      cronSchedule: cron.trim() || undefined,
      source:
        kind === "sync"
          ? { options: { case: "sync", value: { connectionId: sourceId, subsets, subsetByForeignKeyConstraints: followFks, consistentPrf: prfOf(privacy.prf), leakPolicy: leakPolicyOf(privacy) } } }
          : { options: { case: "generate", value: { fkSourceConnectionId: sourceId, tables: generateTablesOf(tables, rowCounts) } } },
      destinations: dests.map((d) => ({ connectionId: d.connectionId, options: destinationOptionsOf(d) })),
      mappings,
      virtualForeignKeys: vfks,
      initiateJobRun: runNow,
    });
  };

  if (accountError) return <ErrorBox error={accountError} />;
  // The wizard checks mappings with the API as it goes, which the role may not do either.
  if (denied) return <><PageHeader title="New job" back={{ href: "/jobs", label: "Jobs" }} /><RoleNote reason={denied} /></>;
  if (!account || conns.isLoading) return <Loading />;
  const schemaLoading = schema.isLoading || constraints.isLoading || transformers.isLoading;

  return (
    <div className="max-w-4xl">
      <PageHeader title="New job" back={{ href: "/jobs", label: "Jobs" }} description="Copy a source database into destinations, anonymizing the columns you choose — or fill them with generated rows." />
      <ol className="mb-6 flex flex-wrap gap-2 text-sm" aria-label="Steps">
        {steps.map((s, i) => (
          <li key={s}>
            {/* A step already reached can be opened directly; going forward runs the checks of the steps in between. */}
            <button
              type="button"
              aria-current={i === step ? "step" : undefined}
              disabled={i === step || i > reached}
              onClick={() => goTo(i)}
              className={cx("flex items-center gap-2 rounded-full px-3 py-1", i === step ? "bg-indigo-600 text-white" : i <= reached ? "bg-indigo-50 text-indigo-700 hover:bg-indigo-100 hover:underline" : "cursor-not-allowed bg-slate-100 text-slate-500")}
            >
              <span className="font-semibold">{i + 1}</span> {s}
            </button>
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
                <fieldset>
                  <legend className="mb-2 text-sm font-medium text-slate-800">Job type</legend>
                  <div className="grid gap-2 sm:grid-cols-2">
                    {([
                      ["sync", "Sync", "Copy a source database, transforming sensitive columns, optionally subset."],
                      ["generate", "Generate", "Fill the destination with synthetic rows that follow the schema of a connection."],
                    ] as const).map(([v, l, d]) => (
                      <label key={v} className={cx("flex cursor-pointer items-start gap-2 rounded-md border p-3 text-sm", kind === v ? "border-indigo-500 bg-indigo-50" : "border-slate-200")}>
                        <input type="radio" name="job-kind" className="mt-0.5" checked={kind === v} onChange={() => { setKind(v); setChoices({}); validateM.reset(); }} />
                        <span><span className="font-medium">{l}</span><span className="block text-xs text-slate-500">{d}</span></span>
                      </label>
                    ))}
                  </div>
                </fieldset>
                <Field label="Job name" htmlFor="job-name" hint="e.g. nightly-prod-to-staging">
                  <input id="job-name" className={inputClass} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
                </Field>
                <Field label="Schedule (optional)" htmlFor="job-cron" hint={<CronHint id="job-cron-help" expr={cron} />}>
                  <input id="job-cron" className={inputClass + " font-mono"} value={cron} onChange={(e) => { setCron(e.target.value); setStepError(""); }} placeholder="0 3 * * *" aria-describedby="job-cron-help" aria-invalid={!!cronError(cron) || undefined} />
                </Field>
              </div>
            </Card>
          )}
          {step === 1 && (
            <>
              <Card>
                <Field label={kind === "sync" ? "Source" : "Schema from"} htmlFor="job-source" hint={kind === "sync" ? "Read-only access is enough." : "Tables, columns and foreign keys are read from this connection; no rows are read."}>
                  <select id="job-source" className={inputClass} value={sourceId} onChange={(e) => { setSourceId(e.target.value); setChoices({}); setWhere({}); setVfks([]); setExcluded(new Set()); validateM.reset(); }}>
                    <option value="">Choose a connection…</option>
                    {connections.map((c) => <option key={c.id} value={c.id}>{connectionLabel(c)}</option>)}
                  </select>
                </Field>
              </Card>
              <DestinationList value={dests} onChange={(d) => { setDests(d); setDestErrors([]); }} connections={connections} errors={destErrors} generate={kind === "generate"} />
            </>
          )}
          {step === 2 && (
            <>
              <ErrorBox error={schema.error ?? constraints.error ?? transformers.error} title="Could not read the source schema" />
              <ErrorBox error={validateM.error} title="Could not validate the mappings" />
              {dbErrors.length > 0 && <ErrorBox error={new Error(dbErrors.join("; "))} title="The mappings do not fit the database" />}
              {schemaLoading ? (
                <Loading label="Reading the source schema…" />
              ) : allColumns.length === 0 && schema.data ? (
                <EmptyState title="The source has no tables" description="Check that the connection's role can read the tables you want to copy." />
              ) : (
                <>
                <TableScope tables={allTables} excluded={excluded} onChange={(e) => { setExcluded(e); validateM.reset(); setStepError(""); }} />
                <PiiSuggestions
                  suggestions={pii.suggestions}
                  loading={pii.loading}
                  error={pii.error}
                  value={choices}
                  onAccept={(acc) => { setChoices((m) => { const n = { ...m }; for (const a of acc) n[a.key] = a.choice; return n; }); validateM.reset(); }}
                />
                <MappingEditor
                  columns={columns}
                  constraints={constraints.data?.tables ?? []}
                  transformers={sysTs}
                  userTransformers={userTs}
                  jobType={kind}
                  value={choices}
                  errors={columnErrors}
                  paramErrors={paramErrors}
                  onChange={(keys, c) => { setChoices((m) => { const n = { ...m }; for (const k of keys) n[k] = c; return n; }); validateM.reset(); }}
                />
                </>
              )}
              {columns.length > 0 && (
                <Card title="Virtual foreign keys (optional)">
                  <p className="mb-3 text-xs text-slate-500">Relations the database does not declare. Tables are written in their order and subsets follow them, like real foreign keys.</p>
                  <VirtualFkEditor columns={columns} value={vfks} onChange={(v) => { setVfks(v); validateM.reset(); }} />
                </Card>
              )}
            </>
          )}
          {step === 3 && kind === "sync" && (
            <SubsetEditor connectionId={sourceId} tables={tables} where={where} onWhere={(k, v) => { setWhere((w) => ({ ...w, [k]: v })); setStepError(""); }} followFks={followFks} onFollowFks={setFollowFks} checks={subsetChecks} />
          )}
          {step === 3 && kind === "generate" && (
            <GenerateRows tables={tables} value={rowCounts} errors={rowErrors} onChange={(k, v) => { setRowCounts((r) => ({ ...r, [k]: v })); setRowErrors({}); }} />
          )}
          {step === 4 && (
            <Card title="Review">
              <dl className="grid gap-3 text-sm sm:grid-cols-2">
                <div><dt className="text-xs uppercase text-slate-500">Name</dt><dd>{name}</dd></div>
                <div><dt className="text-xs uppercase text-slate-500">Type and schedule</dt><dd>{kind === "sync" ? "Sync" : "Generate"} · <span className="font-mono">{cron || "manual"}</span></dd></div>
                <div><dt className="text-xs uppercase text-slate-500">{kind === "sync" ? "Source" : "Schema from"}</dt><dd>{connName(sourceId)}</dd></div>
                <div>
                  <dt className="text-xs uppercase text-slate-500">Destinations</dt>
                  {dests.map((d) => (
                    <dd key={d.connectionId} className="mb-1">
                      {connName(d.connectionId)}
                      <DestinationBadges d={d} />
                      {d.onConflict && <span className="sr-only">{onConflictLabel[d.onConflict]}</span>}
                    </dd>
                  ))}
                </div>
                <div><dt className="text-xs uppercase text-slate-500">Tables and columns</dt><dd>{tables.length} of {allTables.length} tables, {mappings.length} columns, {mappings.filter((m) => m.transformer.source !== fallbackChoice(kind).source).length} {kind === "sync" ? "transformed" : "generated"}{vfks.length > 0 && <span className="block text-xs text-slate-500">{vfks.length} virtual foreign key{vfks.length === 1 ? "" : "s"}</span>}</dd></div>
                {kind === "sync" ? (
                  <div>
                    <dt className="text-xs uppercase text-slate-500">Subset</dt>
                    <dd>
                      {subsets.length === 0 ? "Whole tables" : subsets.map((s) => <span key={`${s.schema}.${s.table}`} className="block font-mono text-xs">{s.schema}.{s.table}: {s.whereClause}</span>)}
                      <span className="block text-xs text-slate-500">{followFks ? "Following foreign keys" : "Not following foreign keys"}</span>
                    </dd>
                  </div>
                ) : (
                  <div><dt className="text-xs uppercase text-slate-500">Rows</dt><dd>{generateTablesOf(tables, rowCounts).map((t) => `${t.schema}.${t.table}: ${t.rowCount}`).join(", ")}</dd></div>
                )}
              </dl>
              {mappingWarnings.length > 0 && (
                <div role="status" aria-label="Mapping warnings" className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
                  <p className="font-medium">The job can run, but check {mappingWarnings.length === 1 ? "this" : `these ${mappingWarnings.length}`}:</p>
                  <ul className="mt-1 list-disc space-y-1 pl-5">
                    {mappingWarnings.map((w) => <li key={w} className="break-words">{w}</li>)}
                  </ul>
                </div>
              )}
              {kind === "sync" && (
                <section aria-labelledby="review-privacy" className="mt-4 border-t border-slate-200 pt-4">
                  <h3 id="review-privacy" className="mb-3 text-sm font-semibold text-slate-900">Privacy</h3>
                  <PrivacyFields value={privacy} onChange={(d) => { setPrivacyErrors((e) => clearChanged(e, privacy, d)); setPrivacy(d); setStepError(""); }} errors={privacyErrors} idPrefix="new-privacy" />
                </section>
              )}
              <label className="mt-4 flex items-center gap-2 text-sm">
                <input type="checkbox" checked={runNow} onChange={(e) => setRunNow(e.target.checked)} /> Run the job as soon as it is created
              </label>
            </Card>
          )}
          {stepError && <p role="alert" className="text-sm text-red-700">{stepError}</p>}
          <ErrorBox error={createJob.error} title="Could not create the job" />
          <div className="flex justify-between gap-2">
            <Button onClick={() => goTo(step - 1)} disabled={step === 0}>Back</Button>
            {step < 4 ? (
              <Button variant="primary" onClick={next} busy={validateM.isPending || subsetChecks.busy.size > 0}>{step === 2 ? "Validate and continue" : "Continue"}</Button>
            ) : (
              <Button variant="primary" onClick={submit} busy={createJob.isPending}>Create job</Button>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
