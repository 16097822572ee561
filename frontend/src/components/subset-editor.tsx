"use client";

import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { useQuery, useTransport } from "@connectrpc/connect-query";
import { useCallback, useState } from "react";
import { ConnectionDataService, type RowValue } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import { errorMessage } from "@/lib/errors";
import { Button, cx, inputClass } from "./ui";

/** SubsetTable names one table a WHERE clause may be set on. */
export type SubsetTable = { schema: string; table: string };

/** SubsetSample is the first rows a WHERE clause keeps, as the source holds them. */
export type SubsetSample = { columns: string[]; rows: string[][] };

/**
 * SubsetCheck is the outcome of previewing one table's WHERE clause: the
 * count, and the first rows (sample) or why they are not shown (sampleNote).
 */
export type SubsetCheck = { count?: bigint; error?: string; where: string; sample?: SubsetSample; sampleNote?: string };

/** SAMPLE_ROWS is how many rows a subset preview shows. */
export const SAMPLE_ROWS = 5;

/** MAX_CELL bounds a shown value, so one long text does not hide the table. */
const MAX_CELL = 40;

/** cellText is a value as the sample table shows it: NULL, text cut at MAX_CELL characters, or a binary value's size. */
export function cellText(v: RowValue): string {
  switch (v.value.case) {
    case "isNull":
      return "NULL";
    case "binary":
      return `<${v.value.value.length} bytes>`;
    case "text": {
      const t = v.value.value.replace(/\s+/g, " ");
      const chars = Array.from(t);
      return chars.length > MAX_CELL ? chars.slice(0, MAX_CELL - 1).join("") + "…" : t;
    }
  }
  return "";
}

/** sampleNote says why sample rows are not shown; a role without the data permission sees the count only. */
export function sampleNote(e: unknown): string {
  const err = ConnectError.from(e);
  if (err.code === Code.PermissionDenied) return "Sample rows are shown only to roles that may read the source's data.";
  return `Sample rows unavailable: ${err.rawMessage}`;
}

/** tableKey identifies a table in subset state: "schema.table". */
export function tableKey(t: SubsetTable): string {
  return `${t.schema}.${t.table}`;
}

/**
 * normalizeWhere trims a WHERE clause and drops a leading "WHERE" keyword the
 * user may have typed, so "WHERE id < 10" and "id < 10" mean the same.
 */
export function normalizeWhere(s: string): string {
  return s.trim().replace(/^where\s+/i, "").trim();
}

/** whereProblem is the client-side check of a WHERE clause; "" means it may be sent to the database. */
export function whereProblem(s: string): string {
  const w = normalizeWhere(s);
  if (!w) return "";
  if (w.includes(";")) return "Write a single condition, without ';'.";
  if (/--|\/\*/.test(w)) return "Remove the SQL comment.";
  return "";
}

/** subsetsOf turns per-table clauses into the job's subset list, skipping empty ones. */
export function subsetsOf(where: Record<string, string>, tables: SubsetTable[]) {
  return tables.filter((t) => normalizeWhere(where[tableKey(t)] ?? "")).map((t) => ({ schema: t.schema, table: t.table, whereClause: normalizeWhere(where[tableKey(t)]) }));
}

/**
 * useSubsetChecks previews WHERE clauses against the source through
 * GetTableRowCount: check() counts one table's matching rows (a bad clause
 * comes back as the database's error) and reads the first SAMPLE_ROWS of them
 * (GetConnectionDataStream; refused to roles without the data permission,
 * which then see the count only); checkAll() every non-empty clause,
 * resolving to whether all of them are valid.
 */
export function useSubsetChecks(connectionId: string) {
  const transport = useTransport();
  const [results, setResults] = useState<Record<string, SubsetCheck>>({});
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const check = useCallback(
    async (t: SubsetTable, raw: string): Promise<boolean> => {
      const k = tableKey(t);
      const where = normalizeWhere(raw);
      const problem = whereProblem(raw);
      if (problem) {
        setResults((r) => ({ ...r, [k]: { error: problem, where } }));
        return false;
      }
      if (!where) {
        setResults((r) => {
          const n = { ...r };
          delete n[k];
          return n;
        });
        return true;
      }
      setBusy((b) => new Set(b).add(k));
      try {
        const client = createClient(ConnectionDataService, transport);
        const res = await client.getTableRowCount({ connectionId, schema: t.schema, table: t.table, whereClause: where });
        const out: SubsetCheck = { count: res.count, where };
        if (res.count > 0n) {
          // The first message of the row stream holds SAMPLE_ROWS rows; the
          // stream is stopped after it.
          const stop = new AbortController();
          try {
            for await (const msg of client.getConnectionDataStream({ connectionId, schema: t.schema, table: t.table, whereClause: where, batchSize: SAMPLE_ROWS }, { signal: stop.signal })) {
              out.sample = { columns: msg.columns, rows: msg.rows.slice(0, SAMPLE_ROWS).map((r) => r.values.map(cellText)) };
              break;
            }
          } catch (e) {
            out.sampleNote = sampleNote(e);
          } finally {
            stop.abort();
          }
        }
        setResults((r) => ({ ...r, [k]: out }));
        return true;
      } catch (e) {
        setResults((r) => ({ ...r, [k]: { error: errorMessage(e), where } }));
        return false;
      } finally {
        setBusy((b) => {
          const n = new Set(b);
          n.delete(k);
          return n;
        });
      }
    },
    [connectionId, transport],
  );
  const checkAll = useCallback(
    async (tables: SubsetTable[], where: Record<string, string>) => (await Promise.all(tables.map((t) => check(t, where[tableKey(t)] ?? "")))).every(Boolean),
    [check],
  );
  return { results, busy, check, checkAll };
}

/** useTotalRows counts a whole table once a minute at most; the subset preview is shown against it. */
function useTotalRows(connectionId: string, t: SubsetTable) {
  return useQuery(ConnectionDataService.method.getTableRowCount, { connectionId, schema: t.schema, table: t.table }, { staleTime: 60_000 });
}

function TotalRows({ q }: { q: ReturnType<typeof useTotalRows> }) {
  if (q.error) return <span className="text-xs text-slate-400">row count unavailable</span>;
  if (!q.data) return <span className="text-xs text-slate-400">counting…</span>;
  return <span className="text-xs text-slate-500">{q.data.count.toLocaleString()} rows</span>;
}

/** matchText renders a preview count, with the share of the table when its size is known. */
export function matchText(count: bigint, total?: bigint): string {
  if (total === undefined || total === 0n) return `${count.toLocaleString()} rows match`;
  const pct = Number((count * 1000n) / total) / 10;
  return `${count.toLocaleString()} of ${total.toLocaleString()} rows match (${pct}%)`;
}

/**
 * SubsetEditor sets a WHERE clause per table of the source, previews how
 * many rows it keeps (GetTableRowCount with the clause, against the whole
 * table's count), shows the database's error under a clause that does not
 * run, and holds the "subset by foreign keys" toggle.
 */
export function SubsetEditor({
  connectionId,
  tables,
  where,
  onWhere,
  followFks,
  onFollowFks,
  checks,
}: {
  connectionId: string;
  tables: SubsetTable[];
  where: Record<string, string>;
  onWhere: (key: string, clause: string) => void;
  followFks: boolean;
  onFollowFks: (v: boolean) => void;
  checks: ReturnType<typeof useSubsetChecks>;
}) {
  return (
    <div className="space-y-4">
      <label className="flex items-start gap-3 rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm">
        <input type="checkbox" className="mt-0.5 h-4 w-4" checked={followFks} onChange={(e) => onFollowFks(e.target.checked)} />
        <span>
          <span className="font-medium text-slate-900">Subset by foreign keys</span>
          <span className="block text-xs text-slate-500">Keep only child rows whose parent rows are in the subset, so the copy holds no dangling references.</span>
        </span>
      </label>
      <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-sm">
        {tables.map((t) => (
          <SubsetRow key={tableKey(t)} connectionId={connectionId} t={t} where={where} onWhere={onWhere} followFks={followFks} checks={checks} />
        ))}
      </ul>
    </div>
  );
}

function SubsetRow({
  connectionId,
  t,
  where,
  onWhere,
  followFks,
  checks,
}: {
  connectionId: string;
  t: SubsetTable;
  where: Record<string, string>;
  onWhere: (key: string, clause: string) => void;
  followFks: boolean;
  checks: ReturnType<typeof useSubsetChecks>;
}) {
  const total = useTotalRows(connectionId, t);
  const k = tableKey(t);
  const id = `subset-${k}`;
  const res = checks.results[k];
  const current = normalizeWhere(where[k] ?? "");
  const stale = res && res.where !== current;
  return (
    <li className="px-4 py-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <label htmlFor={id} className="font-mono text-sm font-semibold text-slate-900">
          {k}
        </label>
        <TotalRows q={total} />
      </div>
      <div className="mt-2 flex flex-col gap-2 sm:flex-row sm:items-start">
        <div className="flex min-w-0 flex-1 items-start">
          <span className="rounded-l-md bg-slate-100 px-2 py-2 font-mono text-xs font-semibold text-slate-500 ring-1 ring-inset ring-slate-300">WHERE</span>
          <textarea
            id={id}
            rows={1}
            className={cx(inputClass, "-ml-px min-h-[2.25rem] rounded-l-none font-mono")}
            placeholder="all rows"
            value={where[k] ?? ""}
            onChange={(e) => onWhere(k, e.target.value)}
            aria-invalid={(!stale && !!res?.error) || undefined}
            aria-describedby={`${id}-result`}
            spellCheck={false}
          />
        </div>
        <Button onClick={() => checks.check(t, where[k] ?? "")} busy={checks.busy.has(k)} disabled={!current}>
          Preview rows
        </Button>
      </div>
      <p id={`${id}-result`} className="mt-1 text-xs" aria-live="polite">
        {res && !stale ? (
          res.error ? (
            <span role="alert" className="text-red-700">
              {res.error}
            </span>
          ) : (
            <span className="text-emerald-700" data-testid={`subset-count-${k}`}>
              {matchText(res.count ?? 0n, total.data?.count)}
            </span>
          )
        ) : current ? (
          <span className="text-slate-500">Preview to check the clause and count the rows it keeps.</span>
        ) : (
          <span className="text-slate-500">Every row is copied{followFks ? " (unless its parent is filtered out)" : ""}.</span>
        )}
      </p>
      {res && !stale && !res.error ? <SampleRows k={k} res={res} /> : null}
    </li>
  );
}

/** SampleRows shows the first rows a previewed clause keeps, before any transformer, in a table that scrolls sideways when wide. */
function SampleRows({ k, res }: { k: string; res: SubsetCheck }) {
  if (res.sampleNote) return <p className="mt-1 text-xs text-slate-500">{res.sampleNote}</p>;
  if (!res.sample || res.sample.rows.length === 0) return null;
  const { columns, rows } = res.sample;
  return (
    <figure className="mt-2" data-testid={`subset-sample-${k}`}>
      <figcaption className="text-xs text-slate-500">
        First {rows.length} {rows.length === 1 ? "row" : "rows"} as the source holds them (before transformers)
      </figcaption>
      <div className="mt-1 max-w-full overflow-x-auto rounded-md border border-slate-200">
        <table className="min-w-full text-left font-mono text-xs">
          <thead className="bg-slate-50 text-slate-600">
            <tr>
              {columns.map((c) => (
                <th key={c} scope="col" className="whitespace-nowrap px-2 py-1 font-semibold">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((r, i) => (
              <tr key={i}>
                {r.map((v, j) => (
                  <td key={j} className={cx("whitespace-nowrap px-2 py-1", v === "NULL" ? "italic text-slate-400" : "text-slate-800")}>
                    {v}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
