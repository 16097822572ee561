"use client";

import { tableKey, type SubsetTable } from "./subset-editor";
import { cx, inputClass } from "./ui";

/** maxGeneratedRows is the API's upper bound on rows per table. */
export const maxGeneratedRows = 1_000_000_000;

/**
 * checkRowCounts validates the rows asked per table of a generate job: empty
 * skips the table, otherwise a whole number from 1 to maxGeneratedRows; at
 * least one table must be asked for. Errors are keyed by table ("" for the
 * whole form).
 */
export function checkRowCounts(tables: SubsetTable[], counts: Record<string, string>): Record<string, string> {
  const errs: Record<string, string> = {};
  let any = false;
  for (const t of tables) {
    const v = (counts[tableKey(t)] ?? "").trim();
    if (!v) continue;
    any = true;
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > maxGeneratedRows) errs[tableKey(t)] = `A whole number from 1 to ${maxGeneratedRows.toLocaleString()}.`;
  }
  if (!any) errs[""] = "Ask for rows in at least one table.";
  return errs;
}

/** generateTablesOf builds the generate source's table list from valid counts. */
export function generateTablesOf(tables: SubsetTable[], counts: Record<string, string>) {
  return tables.filter((t) => (counts[tableKey(t)] ?? "").trim()).map((t) => ({ schema: t.schema, table: t.table, rowCount: BigInt(counts[tableKey(t)].trim()) }));
}

/** GenerateRows asks how many synthetic rows to write into each table of a generate job. */
export function GenerateRows({ tables, value, errors, onChange }: { tables: SubsetTable[]; value: Record<string, string>; errors: Record<string, string>; onChange: (key: string, v: string) => void }) {
  return (
    <div className="space-y-2">
      <p className="text-sm text-slate-600">Rows to generate per table. Leave a table empty to skip it; child tables point at generated parent rows.</p>
      {errors[""] && (
        <p role="alert" className="text-sm text-red-700">
          {errors[""]}
        </p>
      )}
      <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-sm">
        {tables.map((t) => {
          const k = tableKey(t);
          const id = `rows-${k}`;
          return (
            <li key={k} className="flex flex-col gap-1 px-4 py-3 sm:flex-row sm:items-center sm:justify-between">
              <label htmlFor={id} className="font-mono text-sm font-semibold text-slate-900">
                {k}
              </label>
              <div className="sm:w-48">
                <input id={id} inputMode="numeric" placeholder="skip" className={cx(inputClass, "font-mono")} value={value[k] ?? ""} onChange={(e) => onChange(k, e.target.value)} aria-invalid={!!errors[k] || undefined} aria-describedby={errors[k] ? `${id}-error` : undefined} />
                {errors[k] && (
                  <p id={`${id}-error`} role="alert" className="mt-1 text-xs text-red-700">
                    {errors[k]}
                  </p>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
