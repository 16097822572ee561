"use client";

import type { Connection } from "@/gen/mgmt/v1alpha1/connection_pb";
import type { JobDestination } from "@/gen/mgmt/v1alpha1/job_pb";
import { connectionType } from "@/lib/connection-form";
import { Badge, Button, Field, cx, inputClass } from "./ui";

/** DestinationDraft is the form state of one destination: its connection and write options (batch size as typed). */
export type DestinationDraft = {
  connectionId: string;
  initTableSchema: boolean;
  truncateBeforeInsert: boolean;
  truncateCascade: boolean;
  onConflict: string;
  batchSize: string;
};

/** newDestination is a fresh destination with the options most copies want: create tables, empty them first. */
export function newDestination(connectionId = ""): DestinationDraft {
  return { connectionId, initTableSchema: true, truncateBeforeInsert: true, truncateCascade: true, onConflict: "", batchSize: "" };
}

/** destinationDraftOf turns a saved destination into form state. */
export function destinationDraftOf(d: JobDestination): DestinationDraft {
  const o = d.options;
  return {
    connectionId: d.connectionId,
    initTableSchema: !!o?.initTableSchema,
    truncateBeforeInsert: !!o?.truncateBeforeInsert,
    truncateCascade: !!o?.truncateCascade,
    onConflict: o?.onConflict ?? "",
    batchSize: o?.batchSize ? String(o.batchSize) : "",
  };
}

/** destinationOptionsOf builds the API's JobDestinationOptions from a valid draft. */
export function destinationOptionsOf(d: DestinationDraft) {
  return {
    initTableSchema: d.initTableSchema,
    truncateBeforeInsert: d.truncateBeforeInsert,
    truncateCascade: d.truncateBeforeInsert && d.truncateCascade,
    onConflict: d.onConflict,
    batchSize: d.batchSize.trim() ? Number(d.batchSize) : 0,
  };
}

/** DestinationErrors holds the messages of one destination's fields. */
export type DestinationErrors = { connectionId?: string; batchSize?: string };

/** connectionLabel names a connection in a picker with its kind of database: "prod (PostgreSQL)". */
export function connectionLabel(c: Connection): string {
  return `${c.name} (${connectionType(c.connectionConfig)})`;
}

/**
 * checkDestinations validates a list of destinations: each needs a
 * connection that is not the source and not used twice, of the same kind of
 * database as the source when connections are given (the engine copies
 * PostgreSQL into PostgreSQL and MySQL into MySQL only), and a batch size
 * that is empty or a whole number from 1 to 100000. For a generate job
 * (generate), sourceId is the connection the schema comes from, which no
 * destination may be either, and the kinds are not compared. Returns one
 * entry per destination (empty when valid).
 */
export function checkDestinations(list: DestinationDraft[], sourceId: string, connections: Connection[] = [], generate = false): DestinationErrors[] {
  const kind = (id: string) => {
    const c = connections.find((x) => x.id === id);
    return c ? connectionType(c.connectionConfig) : "";
  };
  const sourceKind = sourceId ? kind(sourceId) : "";
  return list.map((d, i) => {
    const e: DestinationErrors = {};
    const destKind = kind(d.connectionId);
    if (!d.connectionId) e.connectionId = "Choose a connection.";
    else if (d.connectionId === sourceId)
      e.connectionId = generate
        ? "The destination must be a different connection from the one the schema comes from: a generate job replaces the rows of every table it fills."
        : "The destination must be a different connection from the source.";
    else if (list.findIndex((x) => x.connectionId === d.connectionId) < i) e.connectionId = "This connection is already a destination.";
    else if (generate && destKind === "S3") e.connectionId = "A generate job writes into a database, not into an S3 bucket.";
    else if (generate && sourceKind && destKind && sourceKind !== destKind)
      e.connectionId = `The schema comes from a ${sourceKind} connection and this destination is ${destKind}: a generate job writes into the kind of database its schema comes from. Choose a ${sourceKind} connection.`;
    else if (!generate && sourceKind && destKind && destKind !== "S3" && sourceKind !== "S3" && sourceKind !== destKind)
      e.connectionId = `The source is ${sourceKind} and this destination is ${destKind}: a sync copies into the same kind of database only. Choose a ${sourceKind} connection.`;
    const b = d.batchSize.trim();
    if (b && (!/^\d+$/.test(b) || Number(b) < 1 || Number(b) > 100000)) e.batchSize = "A whole number from 1 to 100000, or empty for the default.";
    return e;
  });
}

/** hasErrors reports whether any destination has an error. */
export function hasErrors(errs: DestinationErrors[]): boolean {
  return errs.some((e) => Object.keys(e).length > 0);
}

/** onConflictLabel explains each on-conflict choice. */
export const onConflictLabel: Record<string, string> = {
  "": "Fail the table (default)",
  do_nothing: "Skip the row (do nothing)",
  do_update: "Overwrite it (do update)",
};

/**
 * DestinationFields edits one destination: the connection (optional, for
 * forms that pick it) and its options — create missing tables, truncate
 * (and cascade), what to do when a row conflicts, batch size. generate
 * words the options for a generate job, which fills the tables rather
 * than copying into them.
 */
export function DestinationFields({
  value,
  onChange,
  idPrefix,
  errors = {},
  connections,
  label = "Destination",
  generate = false,
}: {
  value: DestinationDraft;
  onChange: (d: DestinationDraft) => void;
  idPrefix: string;
  errors?: DestinationErrors;
  connections?: Connection[];
  label?: string;
  generate?: boolean;
}) {
  const set = (p: Partial<DestinationDraft>) => onChange({ ...value, ...p });
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {connections && (
        <Field label={label} htmlFor={`${idPrefix}-conn`} error={errors.connectionId} hint="Its tables are overwritten." className="sm:col-span-2">
          <select id={`${idPrefix}-conn`} className={inputClass} value={value.connectionId} onChange={(e) => set({ connectionId: e.target.value })} aria-invalid={!!errors.connectionId || undefined}>
            <option value="">Choose a connection…</option>
            {connections.map((c) => (
              <option key={c.id} value={c.id}>
                {connectionLabel(c)}
              </option>
            ))}
          </select>
        </Field>
      )}
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" className="mt-0.5" checked={value.initTableSchema} onChange={(e) => set({ initTableSchema: e.target.checked })} />
        <span>
          <span className="font-medium">Create missing tables</span>
          <span className="block text-xs text-slate-500">{generate ? "Create the schema connection's table definitions first." : "Copy the source's table definitions first."}</span>
        </span>
      </label>
      <div className="space-y-2">
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" className="mt-0.5" checked={value.truncateBeforeInsert} onChange={(e) => set({ truncateBeforeInsert: e.target.checked })} />
          <span>
            <span className="font-medium">{generate ? "Truncate before generating" : "Truncate before copying"}</span>
            <span className="block text-xs text-slate-500">
              {generate
                ? "Replaces the rows the tables hold. Without it, a table that already holds rows stops the run before anything is written."
                : "Empties the tables so reruns do not duplicate rows."}
            </span>
          </span>
        </label>
        <label className={cx("ml-6 flex items-start gap-2 text-sm", !value.truncateBeforeInsert && "text-slate-400")}>
          <input type="checkbox" className="mt-0.5" disabled={!value.truncateBeforeInsert} checked={value.truncateBeforeInsert && value.truncateCascade} onChange={(e) => set({ truncateCascade: e.target.checked })} />
          <span>
            <span className="font-medium">Cascade</span>
            <span className="block text-xs text-slate-500">Also empty tables that reference them.</span>
          </span>
        </label>
      </div>
      <Field label="When a row already exists" htmlFor={`${idPrefix}-conflict`}>
        <select id={`${idPrefix}-conflict`} className={inputClass} value={value.onConflict} onChange={(e) => set({ onConflict: e.target.value })}>
          {Object.entries(onConflictLabel).map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Batch size" htmlFor={`${idPrefix}-batch`} error={errors.batchSize} hint="Rows per write; empty picks a default.">
        <input id={`${idPrefix}-batch`} className={inputClass} inputMode="numeric" value={value.batchSize} placeholder="default" onChange={(e) => set({ batchSize: e.target.value })} aria-invalid={!!errors.batchSize || undefined} />
      </Field>
    </div>
  );
}

/** DestinationBadges summarizes a destination's options as small badges. */
export function DestinationBadges({ d }: { d: DestinationDraft }) {
  return (
    <div className="mt-1 flex flex-wrap gap-1">
      {d.initTableSchema && <Badge>init schema</Badge>}
      {d.truncateBeforeInsert && <Badge>truncate{d.truncateCascade ? " cascade" : ""}</Badge>}
      {d.onConflict && <Badge>on conflict: {d.onConflict}</Badge>}
      {d.batchSize && <Badge>batch {d.batchSize}</Badge>}
    </div>
  );
}

/**
 * DestinationList edits the destinations of a new job: one card per
 * destination with its connection and options, "Add destination", and
 * "Remove" on every card but the last one left.
 */
export function DestinationList({
  value,
  onChange,
  connections,
  errors = [],
  generate = false,
}: {
  value: DestinationDraft[];
  onChange: (v: DestinationDraft[]) => void;
  connections: Connection[];
  errors?: DestinationErrors[];
  generate?: boolean;
}) {
  return (
    <div className="space-y-4">
      {value.map((d, i) => (
        <section key={i} aria-label={`Destination ${i + 1}`} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
          <div className="mb-3 flex items-center justify-between">
            <h3 className="text-sm font-semibold text-slate-900">Destination {i + 1}</h3>
            {value.length > 1 && (
              <Button variant="ghost" className="px-2 py-1 text-red-700" onClick={() => onChange(value.filter((_, j) => j !== i))} aria-label={`Remove destination ${i + 1}`}>
                Remove
              </Button>
            )}
          </div>
          <DestinationFields
            idPrefix={`dest-${i}`}
            label={`Destination ${i + 1} connection`}
            value={d}
            errors={errors[i]}
            connections={connections}
            generate={generate}
            onChange={(n) => onChange(value.map((x, j) => (j === i ? n : x)))}
          />
        </section>
      ))}
      <Button onClick={() => onChange([...value, newDestination()])}>+ Add destination</Button>
    </div>
  );
}
