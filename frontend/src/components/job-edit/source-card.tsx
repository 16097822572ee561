"use client";

import Link from "next/link";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConnectionDataService } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import { JobService, type Job } from "@/gen/mgmt/v1alpha1/job_pb";
import type { Connection } from "@/gen/mgmt/v1alpha1/connection_pb";
import { SourceChange } from "./source-change";
import { GenerateRows, checkRowCounts, generateTablesOf } from "../generate-rows";
import { SubsetEditor, subsetsOf, tableKey, useSubsetChecks } from "../subset-editor";
import { Button, Card, Dl, ErrorBox, Loading } from "../ui";
import { EditActions } from "./edit-actions";

/**
 * SourceCard shows where a job reads from and, for sync jobs, its subset:
 * the WHERE clause per table and whether the subset follows foreign keys,
 * and (read-only) the job's key range size.
 * "Edit subset" opens the subset editor on the source's tables; Save checks
 * every clause against the source and stores them with
 * SetJobSourceSqlConnectionSubsets. Generate jobs get GenerateSourceCard.
 */
export function SourceCard({ job, connName, connections }: { job: Job; connName: (id: string) => string; connections: Connection[] }) {
  const qc = useQueryClient();
  const o = job.source?.options;
  const sync = o?.case === "sync" ? o.value : undefined;
  const connectionId = sync?.connectionId ?? "";
  const [editing, setEditing] = useState(false);
  const [changing, setChanging] = useState(false);
  const [where, setWhere] = useState<Record<string, string>>({});
  const [follow, setFollow] = useState(false);
  const [formError, setFormError] = useState("");
  const checks = useSubsetChecks(connectionId);
  const { tablesQ, tables } = useConnectionTables(connectionId, editing);
  const save = useMutation(JobService.method.setJobSourceSqlConnectionSubsets, {
    onSuccess: async () => {
      setEditing(false);
      await qc.invalidateQueries();
    },
  });

  const start = () => {
    const w: Record<string, string> = {};
    for (const s of sync?.subsets ?? []) w[`${s.schema}.${s.table}`] = s.whereClause;
    setWhere(w);
    setFollow(!!sync?.subsetByForeignKeyConstraints);
    setFormError("");
    save.reset();
    setEditing(true);
  };
  const submit = async () => {
    setFormError("");
    if (!(await checks.checkAll(tables, where))) return setFormError("Fix the WHERE clauses shown in place.");
    save.mutate({ id: job.id, subsets: subsetsOf(where, tables), subsetByForeignKeyConstraints: follow });
  };

  if (o?.case === "generate") return <GenerateSourceCard job={job} connName={connName} connections={connections} />;
  return (
    <Card
      title="Source and subset"
      actions={
        sync &&
        !editing &&
        !changing && (
          <div className="flex gap-2">
            <Button className="px-2 py-1" onClick={() => setChanging(true)}>
              Change source
            </Button>
            <Button className="px-2 py-1" onClick={start}>
              Edit subset
            </Button>
          </div>
        )
      }
    >
      {!sync ? (
        <p className="text-sm text-slate-500">No source connection.</p>
      ) : editing ? (
        <div className="space-y-4">
          <ErrorBox error={tablesQ.error} title="Could not list the source's tables" />
          {tablesQ.isLoading ? <Loading label="Listing tables…" /> : <SubsetEditor connectionId={connectionId} tables={tables} where={where} onWhere={(k, v) => { setWhere((w) => ({ ...w, [k]: v })); setFormError(""); }} followFks={follow} onFollowFks={setFollow} checks={checks} />}
          <EditActions formError={formError} saveError={save.error} saveTitle="Could not save the subset" label="Save subset" onCancel={() => setEditing(false)} onSave={submit} busy={save.isPending || checks.busy.size > 0} disabled={!tablesQ.data} />
        </div>
      ) : (
        <>
        {changing && <div className="mb-4"><SourceChange job={job} connections={connections} onDone={() => setChanging(false)} /></div>}
        <Dl
          items={[
            ["Connection", <Link key="c" className="text-indigo-700 hover:underline" href={`/connections/${sync.connectionId}`}>{connName(sync.connectionId)}</Link>],
            ["Follow foreign keys", sync.subsetByForeignKeyConstraints ? "Yes" : "No"],
            [
              "Key range size",
              sync.rangeRows !== undefined
                ? `${sync.rangeRows.toLocaleString("en-US")} rows per range (set with neosync apply range_rows)`
                : "The worker's (NEOSYNC_RANGE_ROWS)",
            ],
            [
              "Subset",
              sync.subsets.length ? (
                <ul key="s" className="space-y-0.5">
                  {sync.subsets.map((s) => (
                    <li key={`${s.schema}.${s.table}`} className="font-mono text-xs">
                      {s.schema}.{s.table} <span className="text-slate-500">WHERE</span> {s.whereClause}
                    </li>
                  ))}
                </ul>
              ) : (
                "Whole tables"
              ),
            ],
          ]}
        />
        </>
      )}
    </Card>
  );
}

/**
 * GenerateSourceCard shows which connection a generate job takes its schema
 * from and how many rows it writes per table; "Edit rows" changes the counts
 * and saves them with UpdateJobSourceConnection (mappings kept as they are).
 */
function GenerateSourceCard({ job, connName, connections }: { job: Job; connName: (id: string) => string; connections: Connection[] }) {
  const qc = useQueryClient();
  const gen = job.source?.options.case === "generate" ? job.source.options.value : undefined;
  const connectionId = gen?.fkSourceConnectionId ?? "";
  const [editing, setEditing] = useState(false);
  const [changing, setChanging] = useState(false);
  const [counts, setCounts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { tablesQ, tables } = useConnectionTables(connectionId, editing);
  const save = useMutation(JobService.method.updateJobSourceConnection, {
    onSuccess: async () => {
      setEditing(false);
      await qc.invalidateQueries();
    },
  });
  const start = () => {
    const c: Record<string, string> = {};
    for (const t of gen?.tables ?? []) c[`${t.schema}.${t.table}`] = String(t.rowCount);
    setCounts(c);
    setErrors({});
    save.reset();
    setEditing(true);
  };
  const submit = () => {
    const e = checkRowCounts(tables, counts);
    setErrors(e);
    if (Object.keys(e).length) return;
    save.mutate({
      id: job.id,
      source: { options: { case: "generate", value: { fkSourceConnectionId: connectionId, tables: generateTablesOf(tables, counts) } } },
      mappings: job.mappings,
      virtualForeignKeys: job.virtualForeignKeys,
    });
  };
  return (
    <Card
      title="Source and rows"
      actions={
        !editing &&
        !changing && (
          <div className="flex gap-2">
            <Button className="px-2 py-1" onClick={() => setChanging(true)}>
              Change schema source
            </Button>
            <Button className="px-2 py-1" onClick={start}>
              Edit rows
            </Button>
          </div>
        )
      }
    >
      {editing ? (
        <div className="space-y-4">
          <ErrorBox error={tablesQ.error} title="Could not list the tables" />
          {tablesQ.isLoading ? <Loading label="Listing tables…" /> : <GenerateRows tables={tables} value={counts} errors={errors} onChange={(k, v) => { setCounts((c) => ({ ...c, [k]: v })); setErrors({}); }} />}
          <EditActions saveError={save.error} saveTitle="Could not save the row counts" label="Save rows" onCancel={() => setEditing(false)} onSave={submit} busy={save.isPending} disabled={!tablesQ.data} />
        </div>
      ) : (
        <>
        {changing && <div className="mb-4"><SourceChange job={job} connections={connections} onDone={() => setChanging(false)} /></div>}
        <Dl
          items={[
            ["Schema from", <Link key="c" className="text-indigo-700 hover:underline" href={`/connections/${connectionId}`}>{connName(connectionId)}</Link>],
            ["Rows generated", (gen?.tables ?? []).map((t) => `${t.schema}.${t.table}: ${t.rowCount.toLocaleString()}`).join(", ") || "—"],
          ]}
        />
        </>
      )}
    </Card>
  );
}

/**
 * useConnectionTables lists a connection's tables, sorted by name, while
 * enabled (an editor is open).
 */
function useConnectionTables(connectionId: string, enabled: boolean) {
  const tablesQ = useQuery(ConnectionDataService.method.getAllSchemasAndTables, { connectionId }, { enabled: enabled && !!connectionId });
  const tables = [...(tablesQ.data?.tables ?? [])].map((t) => ({ schema: t.schema, table: t.table })).sort((a, b) => tableKey(a).localeCompare(tableKey(b)));
  return { tablesQ, tables };
}
