import type { JsonObject } from "@bufbuild/protobuf";
import type { DatabaseColumn } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import type { JobMapping } from "@/gen/mgmt/v1alpha1/job_pb";
import type { SystemTransformer, UserDefinedTransformer } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { checkParams, configFromDraft, draftFromConfig, type ParamDraft, type ParamErrors } from "./transformer-params";

/** ColumnChoice is what the mapping editor holds for one column: a system transformer and its parameters, or a saved user-defined transformer. */
export type ColumnChoice = { source: string; params: ParamDraft; userDefinedId?: string };

/** passthrough is the choice of a column nobody touched: copy the value as is. */
export const passthrough: ColumnChoice = { source: "passthrough", params: {} };

/** columnDefault is the choice of a column left alone in a generate job: the destination's DEFAULT (passthrough has nothing to copy there). */
export const columnDefault: ColumnChoice = { source: "generate_default", params: {} };

/** fallbackChoice is what an untouched column gets in a job of the given type. */
export function fallbackChoice(jobType: "sync" | "generate"): ColumnChoice {
  return jobType === "generate" ? columnDefault : passthrough;
}

/** columnKey identifies a column across the mapping editor and validation errors. */
export function columnKey(schema: string, table: string, column: string): string {
  return `${schema}.${table}.${column}`;
}

/** choiceValue is the picker's option value for a choice: the source, or "udt:<id>". */
export function choiceValue(c: ColumnChoice): string {
  return c.userDefinedId ? `udt:${c.userDefinedId}` : c.source;
}

/** choiceFromValue turns a picker value back into a choice with empty (default) parameters. */
export function choiceFromValue(v: string, udts: UserDefinedTransformer[]): ColumnChoice {
  if (v.startsWith("udt:")) {
    const u = udts.find((x) => x.id === v.slice(4));
    return { source: u?.source ?? "passthrough", params: {}, userDefinedId: u?.id };
  }
  return { source: v, params: {} };
}

/** bySource indexes system transformers by their source name. */
export function bySource(ts: SystemTransformer[]): Map<string, SystemTransformer> {
  return new Map(ts.map((t) => [t.source, t]));
}

/** paramErrorsOf checks the parameters of every column; only columns with errors appear. */
export function paramErrorsOf(choices: Record<string, ColumnChoice>, ts: SystemTransformer[]): Record<string, ParamErrors> {
  const idx = bySource(ts);
  const out: Record<string, ParamErrors> = {};
  for (const [k, c] of Object.entries(choices)) {
    if (c.userDefinedId) continue;
    const e = checkParams(idx.get(c.source), c.params);
    if (Object.keys(e).length) out[k] = e;
  }
  return out;
}

/** mappingsOf builds the JobMapping list for every column from the editor's choices (fallback, passthrough by default, where none). */
export function mappingsOf(
  columns: DatabaseColumn[],
  choices: Record<string, ColumnChoice>,
  ts: SystemTransformer[],
  udts: UserDefinedTransformer[] = [],
  fallback: ColumnChoice = passthrough,
) {
  const idx = bySource(ts);
  return columns.map((c) => {
    const ch = choices[columnKey(c.schema, c.table, c.column)] ?? fallback;
    const udt = ch.userDefinedId ? udts.find((u) => u.id === ch.userDefinedId) : undefined;
    const config: JsonObject = udt ? ((udt.config as JsonObject | undefined) ?? {}) : configFromDraft(idx.get(ch.source), ch.params);
    return {
      schema: c.schema,
      table: c.table,
      column: c.column,
      transformer: { source: udt?.source ?? ch.source, config, userDefinedTransformerId: ch.userDefinedId },
    };
  });
}

/** choicesOf turns a saved job's mappings back into editor choices, for editing. */
export function choicesOf(mappings: JobMapping[], ts: SystemTransformer[]): Record<string, ColumnChoice> {
  const idx = bySource(ts);
  const out: Record<string, ColumnChoice> = {};
  for (const m of mappings) {
    const src = m.transformer?.source || "passthrough";
    out[columnKey(m.schema, m.table, m.column)] = {
      source: src,
      params: draftFromConfig(idx.get(src), m.transformer?.config as JsonObject | undefined),
      userDefinedId: m.transformer?.userDefinedTransformerId,
    };
  }
  return out;
}
