import type { DatabaseColumn } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import type { SystemTransformer, UserDefinedTransformer } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { columnKey, type ColumnChoice } from "./mappings";

/** TransformerChoice is one entry of a transformer picker. */
export type TransformerChoice = { value: string; label: string; group: string; source: string; description: string };

/** transformerChoices lists the picker's entries in its groups' order: keep, transform, generate, other, the user's saved transformers. */
export function transformerChoices(transformers: SystemTransformer[], userTransformers: UserDefinedTransformer[] = []): TransformerChoice[] {
  const sys = (group: string, keep: (t: SystemTransformer) => boolean) =>
    transformers.filter(keep).map((t) => ({ value: t.source, label: t.name, group, source: t.source, description: t.description }));
  const other = (t: SystemTransformer) => t.source !== "passthrough" && !t.source.startsWith("transform_") && !t.source.startsWith("generate_");
  return [
    ...sys("Keep", (t) => t.source === "passthrough"),
    ...sys("Transform existing values", (t) => t.source.startsWith("transform_")),
    ...sys("Generate new values", (t) => t.source.startsWith("generate_")),
    ...sys("Other", other),
    ...userTransformers
      .filter((u) => transformers.some((t) => t.source === u.source))
      .map((u) => ({ value: `udt:${u.id}`, label: `${u.name} (${u.source})`, group: "Your transformers", source: u.source, description: u.description })),
  ];
}

/** matchTransformers keeps the choices whose name, source or description contain every word of q (any case). */
export function matchTransformers(choices: TransformerChoice[], q: string): TransformerChoice[] {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return choices;
  return choices.filter((c) => {
    const hay = `${c.label} ${c.source} ${c.description} ${c.group}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/**
 * filterColumns keeps the columns matching every word of q, searched in
 * "schema.table.column", the data type and the chosen transformer's source;
 * "changed" keeps only columns whose choice differs from the fallback.
 */
export function filterColumns(columns: DatabaseColumn[], q: string, choices: Record<string, ColumnChoice>, fallback: ColumnChoice, onlyChanged = false): DatabaseColumn[] {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  return columns.filter((c) => {
    const key = columnKey(c.schema, c.table, c.column);
    const ch = choices[key] ?? fallback;
    if (onlyChanged && ch.source === fallback.source && !ch.userDefinedId) return false;
    if (!words.length) return true;
    const hay = `${key} ${c.dataType} ${ch.source}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** tableOf names a column's table as the editors show it: "schema.table". */
export function tableOf(c: { schema: string; table: string }): string {
  return `${c.schema}.${c.table}`;
}
