"use client";

import type { DatabaseColumn, TableConstraints } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import type { SystemTransformer } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { Badge, cx, inputClass } from "./ui";

/** columnKey identifies a column across the mapping editor and validation errors. */
export function columnKey(schema: string, table: string, column: string): string {
  return `${schema}.${table}.${column}`;
}

/** constraintBadges says which columns are primary keys and which reference another table. */
export function constraintIndex(tables: TableConstraints[]) {
  const pk = new Set<string>();
  const fk = new Map<string, string>();
  for (const t of tables) {
    const s = t.table?.schema ?? "";
    const n = t.table?.table ?? "";
    for (const c of t.primaryKeyColumns) pk.add(columnKey(s, n, c));
    for (const f of t.foreignKeys) {
      f.columns.forEach((c, i) => fk.set(columnKey(s, n, c), `${f.referencedTable?.schema}.${f.referencedTable?.table}.${f.referencedColumns[i] ?? ""}`));
    }
  }
  return { pk, fk };
}

/**
 * MappingEditor lists every table and column of the source with its type and
 * constraint badges and a transformer picker per column. Errors from
 * ValidateJobMappings appear under the column they concern.
 */
export function MappingEditor({
  columns,
  constraints,
  transformers,
  value,
  onChange,
  errors,
}: {
  columns: DatabaseColumn[];
  constraints: TableConstraints[];
  transformers: SystemTransformer[];
  value: Record<string, string>;
  onChange: (key: string, source: string) => void;
  errors?: Record<string, string[]>;
}) {
  const { pk, fk } = constraintIndex(constraints);
  const tables = new Map<string, DatabaseColumn[]>();
  const sorted = [...columns].sort((a, b) => a.schema.localeCompare(b.schema) || a.table.localeCompare(b.table) || a.ordinalPosition - b.ordinalPosition);
  for (const c of sorted) {
    const t = `${c.schema}.${c.table}`;
    tables.set(t, [...(tables.get(t) ?? []), c]);
  }
  const syncable = transformers.filter((t) => t.jobTypes.length === 0 || t.jobTypes.includes("sync"));
  const groups: [string, SystemTransformer[]][] = [
    ["Keep", syncable.filter((t) => t.source === "passthrough")],
    ["Transform existing values", syncable.filter((t) => t.source.startsWith("transform_"))],
    ["Generate new values", syncable.filter((t) => t.source.startsWith("generate_"))],
  ];

  return (
    <div className="space-y-6">
      {[...tables.entries()].map(([table, cols]) => (
        <section key={table} aria-label={`Table ${table}`} className="rounded-lg border border-slate-200 bg-white shadow-sm">
          <h3 className="border-b border-slate-200 bg-slate-50 px-4 py-2 font-mono text-sm font-semibold text-slate-800">{table}</h3>
          <ul className="divide-y divide-slate-100">
            {cols.map((c) => {
              const key = columnKey(c.schema, c.table, c.column);
              const errs = errors?.[key] ?? [];
              const id = `map-${key}`;
              return (
                <li key={key} className="grid grid-cols-1 gap-2 px-4 py-3 sm:grid-cols-[1fr_18rem] sm:items-center">
                  <div className="min-w-0">
                    <label htmlFor={id} className="font-mono text-sm text-slate-900">
                      {c.column}
                    </label>
                    <div className="mt-1 flex flex-wrap items-center gap-1">
                      <span className="font-mono text-xs text-slate-500">{c.dataType}</span>
                      {pk.has(key) && <Badge tone="indigo" title="Primary key">PK</Badge>}
                      {fk.has(key) && <Badge tone="blue" title={`References ${fk.get(key)}`}>FK → {fk.get(key)}</Badge>}
                      {!c.isNullable && <Badge>not null</Badge>}
                    </div>
                    {errs.map((e) => (
                      <p key={e} className="mt-1 text-xs text-red-700" role="alert">
                        {e}
                      </p>
                    ))}
                  </div>
                  <select
                    id={id}
                    className={cx(inputClass, errs.length > 0 && "ring-red-400")}
                    aria-invalid={errs.length > 0 || undefined}
                    value={value[key] ?? "passthrough"}
                    onChange={(e) => onChange(key, e.target.value)}
                  >
                    {groups.map(([label, ts]) =>
                      ts.length ? (
                        <optgroup key={label} label={label}>
                          {ts.map((t) => (
                            <option key={t.source} value={t.source}>
                              {t.name}
                            </option>
                          ))}
                        </optgroup>
                      ) : null,
                    )}
                  </select>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </div>
  );
}
