"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState, type ReactNode } from "react";
import type { DatabaseColumn, TableConstraints } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import type { SystemTransformer, UserDefinedTransformer } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { bySource, choiceFromValue, choiceValue, columnKey, fallbackChoice, type ColumnChoice } from "@/lib/mappings";
import { filterColumns, tableOf, transformerChoices, type TransformerChoice } from "@/lib/mapping-filter";
import { checkParams, summarizeDraft, type ParamDraft, type ParamErrors } from "@/lib/transformer-params";
import { ParamForm } from "./param-form";
import { TransformerSearch, TransformerSelect } from "./transformer-picker";
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
  choices,
}: {
  initial: ColumnChoice;
  choices: TransformerChoice[];
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
        <div className="sm:max-w-80 sm:flex-1">
          <TransformerSelect
            id="bulk-transformer"
            choices={choices}
            value={choiceValue(choice)}
            onChange={(v) => {
              setChoice(choiceFromValue(v, userTransformers));
              setErrors({});
            }}
          />
        </div>
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

/** virtualizeAbove is the number of rows (tables and columns) above which only the rows in view are rendered. */
export const virtualizeAbove = 400;

/** Row is one line of the editor: a table's header or one of its columns. */
type Row = { kind: "table"; table: string; keys: string[] } | { kind: "column"; column: DatabaseColumn; key: string };

/**
 * MappingEditor lists every table and column of the source with its type and
 * constraint badges, a transformer picker per column (a grouped select, and
 * a search by name or purpose) and, for transformers that take parameters,
 * a typed parameter form. A filter narrows the columns by name, type or
 * transformer, or to those changed. Columns can be selected (one by one,
 * per table, per data type, or all shown) and given one transformer at
 * once. Errors from ValidateJobMappings (errors) and from the parameter
 * checks (paramErrors) appear under the column they concern. Only the
 * transformers usable in a job of jobType are offered. Above
 * virtualizeAbove rows only the rows in view are rendered, so a schema of
 * thousands of columns stays fast.
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
  height,
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
  /** height of the scrolling list when virtualized, in px (tests set it; the page uses 70% of the window). */
  height?: number;
}) {
  transformers = jobTransformers(transformers, jobType);
  const fallback = fallbackChoice(jobType);
  const choices = transformerChoices(transformers, userTransformers);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [searching, setSearching] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const [onlyChanged, setOnlyChanged] = useState(false);
  const { pk, fk } = constraintIndex(constraints);
  const idx = bySource(transformers);
  const keyOf = (c: DatabaseColumn) => columnKey(c.schema, c.table, c.column);
  const withErrors = new Set([...Object.keys(errors ?? {}), ...Object.keys(paramErrors ?? {})]);
  // Columns in error always show, whatever the filter, so no error hides.
  const shownColumns = filterColumns(columns, filter, value, fallback, onlyChanged).concat(columns.filter((c) => withErrors.has(keyOf(c)) && !filterColumns([c], filter, value, fallback, onlyChanged).length));
  const sorted = [...shownColumns].sort((a, b) => a.schema.localeCompare(b.schema) || a.table.localeCompare(b.table) || a.ordinalPosition - b.ordinalPosition);
  const rows: Row[] = [];
  for (const c of sorted) {
    const t = tableOf(c);
    const last = rows.findLast((r) => r.kind === "table");
    if (!last || last.kind !== "table" || last.table !== t) rows.push({ kind: "table", table: t, keys: [] });
    const head = rows.findLast((r) => r.kind === "table") as Extract<Row, { kind: "table" }>;
    head.keys.push(keyOf(c));
    rows.push({ kind: "column", column: c, key: keyOf(c) });
  }
  const dataTypes = [...new Set(columns.map((c) => c.dataType))].sort();
  const toggle = (set: Set<string>, keys: string[], on: boolean) => {
    const n = new Set(set);
    for (const k of keys) (on ? n.add(k) : n.delete(k));
    return n;
  };

  const renderRow = (r: Row): ReactNode => {
    if (r.kind === "table") {
      const n = r.keys.filter((k) => selected.has(k)).length;
      return (
        <h3 className="flex items-center gap-3 border-b border-slate-200 bg-slate-50 px-4 py-2 font-mono text-sm font-semibold text-slate-800">
          <TriCheckbox label={`Select all columns of ${r.table}`} checked={n === r.keys.length} indeterminate={n > 0 && n < r.keys.length} onChange={(on) => setSelected((s) => toggle(s, r.keys, on))} />
          {r.table}
        </h3>
      );
    }
    const { column: c, key } = r;
    const choice = value[key] ?? fallback;
    const t = choice.userDefinedId ? undefined : idx.get(choice.source);
    const errs = errors?.[key] ?? [];
    const perrs = paramErrors?.[key] ?? {};
    const hasParamErrs = Object.keys(perrs).length > 0;
    const id = `map-${key}`;
    const showParams = !!t && t.parameters.length > 0 && (open.has(key) || hasParamErrs);
    const summary = summarizeDraft(t, choice.params);
    return (
      <div className="border-b border-slate-100 px-4 py-3 last:border-b-0">
        <div className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-2 sm:grid-cols-[auto_minmax(0,1fr)_18rem] sm:items-center">
          <input type="checkbox" aria-label={`Select ${c.column}`} className="mt-0.5 h-4 w-4 self-start sm:mt-0 sm:self-center" checked={selected.has(key)} onChange={(e) => setSelected((s) => toggle(s, [key], e.target.checked))} />
          <div className="min-w-0">
            <label htmlFor={id} className="break-all font-mono text-sm text-slate-900">
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
          <div className="col-span-2 min-w-0 sm:col-span-1">
            <div className="flex gap-1">
              <TransformerSelect id={id} choices={choices} value={choiceValue(choice)} invalid={errs.length > 0 || hasParamErrs} onChange={(v) => onChange([key], choiceFromValue(v, userTransformers))} />
              <button type="button" className="shrink-0 rounded-md px-2 text-slate-600 ring-1 ring-inset ring-slate-300 hover:bg-slate-50" aria-label={`Search transformers for ${c.column}`} aria-expanded={searching === key} onClick={() => setSearching((s) => (s === key ? null : key))}>
                <svg viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
                  <circle cx="8.5" cy="8.5" r="5.5" />
                  <path d="m13 13 4 4" strokeLinecap="round" />
                </svg>
              </button>
            </div>
            {t && t.parameters.length > 0 && (
              <button type="button" className="mt-1 max-w-full truncate text-left text-xs text-indigo-700 hover:underline" aria-expanded={showParams} aria-controls={`${id}-params`} onClick={() => setOpen((s) => toggle(s, [key], !s.has(key)))}>
                {showParams ? "Hide parameters" : `Parameters${summary ? `: ${summary}` : " (defaults)"}`}
              </button>
            )}
          </div>
        </div>
        {searching === key && (
          <TransformerSearch
            label={`Find a transformer for ${c.column}`}
            choices={choices}
            onClose={() => setSearching(null)}
            onPick={(v) => {
              onChange([key], choiceFromValue(v, userTransformers));
              setSearching(null);
              document.getElementById(id)?.focus();
            }}
          />
        )}
        {showParams && t && (
          <div id={`${id}-params`} role="group" aria-label={`Parameters of ${c.column}`} className="mt-3 rounded-md border border-slate-200 bg-slate-50 p-3">
            <ParamForm transformer={t} value={choice.params} onChange={(params: ParamDraft) => onChange([key], { ...choice, params })} errors={perrs} idPrefix={`${id}-param`} bindings={transformers} />
          </div>
        )}
      </div>
    );
  };

  return (
    <div className="space-y-4">
      <BulkApply
        initial={fallback}
        selected={selected.size}
        dataTypes={dataTypes}
        transformers={transformers}
        userTransformers={userTransformers}
        choices={choices}
        onSelectAll={() => setSelected(new Set(shownColumns.map(keyOf)))}
        onSelectType={(d) => setSelected((s) => toggle(s, columns.filter((c) => c.dataType === d).map(keyOf), true))}
        onClear={() => setSelected(new Set())}
        onApply={(c) => {
          onChange([...selected], c);
          setSelected(new Set());
        }}
      />
      <div className="flex flex-wrap items-center gap-3" role="search" aria-label="Filter columns">
        <input aria-label="Filter columns" className={cx(inputClass, "max-w-md")} placeholder="Filter by table, column, type or transformer…" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" checked={onlyChanged} onChange={(e) => setOnlyChanged(e.target.checked)} /> Only columns with a transformer
        </label>
        <span className="text-sm text-slate-500" data-testid="column-count">
          {shownColumns.length === columns.length ? `${columns.length} columns` : `${shownColumns.length} of ${columns.length} columns`}
        </span>
      </div>
      {rows.length === 0 ? (
        <p className="rounded-lg border-2 border-dashed border-slate-200 px-4 py-8 text-center text-sm text-slate-500">No column matches the filter.</p>
      ) : rows.length > virtualizeAbove ? (
        <VirtualRows rows={rows} render={renderRow} height={height} />
      ) : (
        <div className="space-y-4">
          {rows.map((r, i) =>
            r.kind === "table" ? (
              <section key={`t:${r.table}`} aria-label={`Table ${r.table}`} className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
                {renderRow(r)}
                <ul>
                  {rows.slice(i + 1, i + 1 + r.keys.length).map((c) => (
                    <li key={c.kind === "column" ? c.key : i}>{renderRow(c)}</li>
                  ))}
                </ul>
              </section>
            ) : null,
          )}
        </div>
      )}
    </div>
  );
}

/**
 * VirtualRows renders only the rows in view (and a few around them) of a
 * long list in a scrolling box; rows are measured as they render, so an
 * opened parameter form or search grows its row.
 */
function VirtualRows({ rows, render, height }: { rows: Row[]; render: (r: Row) => ReactNode; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => box.current,
    estimateSize: (i) => (rows[i].kind === "table" ? 41 : 77),
    overscan: 8,
    getItemKey: (i) => { const r = rows[i]; return r.kind === "table" ? `t:${r.table}` : r.key; },
    initialRect: { width: 1000, height: height ?? 700 },
  });
  return (
    <div ref={box} data-testid="mapping-rows" className="overflow-y-auto rounded-lg border border-slate-200 bg-white shadow-sm" style={{ height: height ?? "70vh" }}>
      <div style={{ height: v.getTotalSize(), position: "relative" }}>
        {v.getVirtualItems().map((item) => {
          const r = rows[item.index];
          return (
            <div key={item.key} data-index={item.index} ref={v.measureElement} className="absolute left-0 top-0 w-full" style={{ transform: `translateY(${item.start}px)` }} aria-label={r.kind === "table" ? `Table ${r.table}` : undefined} role={r.kind === "table" ? "region" : undefined}>
              {render(r)}
            </div>
          );
        })}
      </div>
    </div>
  );
}
