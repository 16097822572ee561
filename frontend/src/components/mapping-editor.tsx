"use client";

import { useEffect, useRef, useState } from "react";
import type { DatabaseColumn, TableConstraints } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import type { SystemTransformer, UserDefinedTransformer } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { bySource, choiceFromValue, choiceValue, columnKey, fallbackChoice, type ColumnChoice } from "@/lib/mappings";
import { checkParams, summarizeDraft, type ParamDraft, type ParamErrors } from "@/lib/transformer-params";
import { ParamForm } from "./param-form";
import { Badge, Button, cx, inputClass } from "./ui";

export { columnKey } from "@/lib/mappings";

/** constraintIndex says which columns are primary keys and which reference another table. */
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

/** TransformerOptions renders the picker's option groups: keep, transform, generate, and the user's saved transformers. */
export function TransformerOptions({ transformers, userTransformers = [] }: { transformers: SystemTransformer[]; userTransformers?: UserDefinedTransformer[] }) {
  const groups: [string, { value: string; label: string }[]][] = [
    ["Keep", transformers.filter((t) => t.source === "passthrough").map((t) => ({ value: t.source, label: t.name }))],
    ["Transform existing values", transformers.filter((t) => t.source.startsWith("transform_")).map((t) => ({ value: t.source, label: t.name }))],
    ["Generate new values", transformers.filter((t) => t.source.startsWith("generate_")).map((t) => ({ value: t.source, label: t.name }))],
    ["Other", transformers.filter((t) => t.source !== "passthrough" && !t.source.startsWith("transform_") && !t.source.startsWith("generate_")).map((t) => ({ value: t.source, label: t.name }))],
    ["Your transformers", userTransformers.filter((u) => transformers.some((t) => t.source === u.source)).map((u) => ({ value: `udt:${u.id}`, label: `${u.name} (${u.source})` }))],
  ];
  return (
    <>
      {groups.map(([label, opts]) =>
        opts.length ? (
          <optgroup key={label} label={label}>
            {opts.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </optgroup>
        ) : null,
      )}
    </>
  );
}

/** jobTransformers keeps the system transformers usable in a job of the given type. */
export function jobTransformers(ts: SystemTransformer[], jobType: "sync" | "generate"): SystemTransformer[] {
  return ts.filter((t) => t.jobTypes.length === 0 || t.jobTypes.includes(jobType));
}

/** Checkbox that can show the "some selected" state, for a table's select-all. */
function TriCheckbox({ checked, indeterminate, onChange, label }: { checked: boolean; indeterminate: boolean; onChange: (v: boolean) => void; label: string }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate;
  }, [indeterminate]);
  return <input ref={ref} type="checkbox" aria-label={label} checked={checked} onChange={(e) => onChange(e.target.checked)} className="h-4 w-4" />;
}

/**
 * BulkApply picks one transformer (with its parameters) and applies it to the
 * selected columns at once. The selection is made with the checkboxes of the
 * editor, or here: every column, or every column of a data type.
 */
function BulkApply({
  selected,
  dataTypes,
  transformers,
  userTransformers,
  onSelectAll,
  onSelectType,
  onClear,
  onApply,
  initial,
}: {
  initial: ColumnChoice;
  selected: number;
  dataTypes: string[];
  transformers: SystemTransformer[];
  userTransformers: UserDefinedTransformer[];
  onSelectAll: () => void;
  onSelectType: (t: string) => void;
  onClear: () => void;
  onApply: (c: ColumnChoice) => void;
}) {
  const [choice, setChoice] = useState<ColumnChoice>(initial);
  const [errors, setErrors] = useState<ParamErrors>({});
  const t = choice.userDefinedId ? undefined : bySource(transformers).get(choice.source);
  const apply = () => {
    const e = checkParams(t, choice.params);
    setErrors(e);
    if (Object.keys(e).length === 0) onApply(choice);
  };
  return (
    <section aria-label="Bulk apply" className="rounded-lg border border-indigo-200 bg-indigo-50/60 p-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <h3 className="font-semibold text-slate-900">Bulk apply</h3>
        <span data-testid="bulk-count" className="text-slate-700">
          {selected} column{selected === 1 ? "" : "s"} selected
        </span>
      </div>
      <div className="mt-2 flex flex-wrap items-center gap-2 text-sm">
        <Button className="px-2.5 py-1.5" onClick={onSelectAll}>
          Select all
        </Button>
        <select aria-label="Select columns of type" className={inputClass.replace("w-full", "w-auto") + " py-1.5"} value="" onChange={(e) => e.target.value && onSelectType(e.target.value)}>
          <option value="">Select by type…</option>
          {dataTypes.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
        <Button className="px-2.5 py-1.5" onClick={onClear} disabled={selected === 0}>
          Clear selection
        </Button>
      </div>
      <div className="mt-3 flex flex-col gap-2 sm:flex-row sm:items-center">
        <label htmlFor="bulk-transformer" className="text-sm font-medium text-slate-800 sm:w-24">
          Transformer
        </label>
        <select
          id="bulk-transformer"
          className={cx(inputClass, "sm:max-w-80")}
          value={choiceValue(choice)}
          onChange={(e) => {
            setChoice(choiceFromValue(e.target.value, userTransformers));
            setErrors({});
          }}
        >
          <TransformerOptions transformers={transformers} userTransformers={userTransformers} />
        </select>
        <Button variant="primary" onClick={apply} disabled={selected === 0}>
          Apply to {selected} column{selected === 1 ? "" : "s"}
        </Button>
      </div>
      {t && t.parameters.length > 0 && (
        <div className="mt-3 rounded-md border border-indigo-100 bg-white p-3">
          <ParamForm transformer={t} value={choice.params} onChange={(params) => setChoice({ ...choice, params })} errors={errors} idPrefix="bulk-param" />
        </div>
      )}
    </section>
  );
}

/**
 * MappingEditor lists every table and column of the source with its type and
 * constraint badges, a transformer picker per column and, for transformers
 * that take parameters, a typed parameter form. Columns can be selected (one
 * by one, per table, per data type, or all) and given one transformer at
 * once. Errors from ValidateJobMappings (errors) and from the parameter
 * checks (paramErrors) appear under the column they concern. Only the
 * transformers usable in a job of jobType are offered.
 */
export function MappingEditor({
  columns,
  constraints,
  transformers,
  userTransformers = [],
  value,
  onChange,
  errors,
  paramErrors,
  jobType = "sync",
}: {
  columns: DatabaseColumn[];
  constraints: TableConstraints[];
  transformers: SystemTransformer[];
  userTransformers?: UserDefinedTransformer[];
  value: Record<string, ColumnChoice>;
  onChange: (keys: string[], choice: ColumnChoice) => void;
  errors?: Record<string, string[]>;
  paramErrors?: Record<string, ParamErrors>;
  jobType?: "sync" | "generate";
}) {
  transformers = jobTransformers(transformers, jobType);
  const fallback = fallbackChoice(jobType);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<Set<string>>(new Set());
  const { pk, fk } = constraintIndex(constraints);
  const idx = bySource(transformers);
  const tables = new Map<string, DatabaseColumn[]>();
  const sorted = [...columns].sort((a, b) => a.schema.localeCompare(b.schema) || a.table.localeCompare(b.table) || a.ordinalPosition - b.ordinalPosition);
  for (const c of sorted) {
    const t = `${c.schema}.${c.table}`;
    tables.set(t, [...(tables.get(t) ?? []), c]);
  }
  const keyOf = (c: DatabaseColumn) => columnKey(c.schema, c.table, c.column);
  const dataTypes = [...new Set(columns.map((c) => c.dataType))].sort();
  const toggle = (set: Set<string>, keys: string[], on: boolean) => {
    const n = new Set(set);
    for (const k of keys) (on ? n.add(k) : n.delete(k));
    return n;
  };

  return (
    <div className="space-y-6">
      <BulkApply
        initial={fallback}
        selected={selected.size}
        dataTypes={dataTypes}
        transformers={transformers}
        userTransformers={userTransformers}
        onSelectAll={() => setSelected(new Set(columns.map(keyOf)))}
        onSelectType={(d) => setSelected((s) => toggle(s, columns.filter((c) => c.dataType === d).map(keyOf), true))}
        onClear={() => setSelected(new Set())}
        onApply={(c) => {
          onChange([...selected], c);
          setSelected(new Set());
        }}
      />
      {[...tables.entries()].map(([table, cols]) => {
        const keys = cols.map(keyOf);
        const n = keys.filter((k) => selected.has(k)).length;
        return (
          <section key={table} aria-label={`Table ${table}`} className="rounded-lg border border-slate-200 bg-white shadow-sm">
            <h3 className="flex items-center gap-3 border-b border-slate-200 bg-slate-50 px-4 py-2 font-mono text-sm font-semibold text-slate-800">
              <TriCheckbox label={`Select all columns of ${table}`} checked={n === keys.length} indeterminate={n > 0 && n < keys.length} onChange={(on) => setSelected((s) => toggle(s, keys, on))} />
              {table}
            </h3>
            <ul className="divide-y divide-slate-100">
              {cols.map((c) => {
                const key = keyOf(c);
                const choice = value[key] ?? fallback;
                const t = choice.userDefinedId ? undefined : idx.get(choice.source);
                const errs = errors?.[key] ?? [];
                const perrs = paramErrors?.[key] ?? {};
                const hasParamErrs = Object.keys(perrs).length > 0;
                const id = `map-${key}`;
                const showParams = !!t && t.parameters.length > 0 && (open.has(key) || hasParamErrs);
                const summary = summarizeDraft(t, choice.params);
                return (
                  <li key={key} className="px-4 py-3">
                    <div className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-2 sm:grid-cols-[auto_1fr_18rem] sm:items-center">
                      <input type="checkbox" aria-label={`Select ${c.column}`} className="h-4 w-4 self-start sm:self-center mt-0.5 sm:mt-0" checked={selected.has(key)} onChange={(e) => setSelected((s) => toggle(s, [key], e.target.checked))} />
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
                      <div className="col-span-2 sm:col-span-1">
                        <select
                          id={id}
                          className={cx(inputClass, errs.length > 0 && "ring-red-400")}
                          aria-invalid={errs.length > 0 || hasParamErrs || undefined}
                          value={choiceValue(choice)}
                          onChange={(e) => onChange([key], choiceFromValue(e.target.value, userTransformers))}
                        >
                          <TransformerOptions transformers={transformers} userTransformers={userTransformers} />
                        </select>
                        {t && t.parameters.length > 0 && (
                          <button
                            type="button"
                            className="mt-1 max-w-full truncate text-left text-xs text-indigo-700 hover:underline"
                            aria-expanded={showParams}
                            aria-controls={`${id}-params`}
                            onClick={() => setOpen((s) => toggle(s, [key], !s.has(key)))}
                          >
                            {showParams ? "Hide parameters" : `Parameters${summary ? `: ${summary}` : " (defaults)"}`}
                          </button>
                        )}
                      </div>
                    </div>
                    {showParams && t && (
                      <div id={`${id}-params`} role="group" aria-label={`Parameters of ${c.column}`} className="mt-3 rounded-md border border-slate-200 bg-slate-50 p-3">
                        <ParamForm transformer={t} value={choice.params} onChange={(params: ParamDraft) => onChange([key], { ...choice, params })} errors={perrs} idPrefix={`${id}-param`} />
                      </div>
                    )}
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
