import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { DatabaseColumnSchema } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import { SystemTransformerSchema, UserDefinedTransformerSchema } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { passthrough } from "./mappings";
import { filterColumns, matchTransformers, transformerChoices } from "./mapping-filter";

const col = (table: string, column: string, dataType = "text") => create(DatabaseColumnSchema, { schema: "public", table, column, dataType });
const columns = [col("customers", "email"), col("customers", "id", "integer"), col("orders", "note"), col("orders", "customer_id", "integer")];
const ts = [
  create(SystemTransformerSchema, { source: "passthrough", name: "Passthrough", description: "Copy the value as it is" }),
  create(SystemTransformerSchema, { source: "transform_email", name: "Transform email", description: "Anonymize an email address" }),
  create(SystemTransformerSchema, { source: "generate_full_name", name: "Generate full name", description: "A random first and last name" }),
  create(SystemTransformerSchema, { source: "null", name: "Null", description: "Write NULL" }),
];
const udts = [create(UserDefinedTransformerSchema, { id: "u1", name: "corp-emails", source: "transform_email" }), create(UserDefinedTransformerSchema, { id: "u2", name: "gone", source: "removed_one" })];

describe("transformerChoices", () => {
  it("groups system transformers and keeps saved ones whose system transformer exists", () => {
    const got = transformerChoices(ts, udts);
    expect(got.map((c) => `${c.group}: ${c.value}`)).toEqual(["Keep: passthrough", "Transform existing values: transform_email", "Generate new values: generate_full_name", "Other: null", "Your transformers: udt:u1"]);
  });
});

describe("matchTransformers", () => {
  const all = transformerChoices(ts, udts);
  it.each([
    ["", 5],
    ["email", 2],
    ["EMAIL corp", 1],
    ["random name", 1],
    ["null", 1],
    ["nothing like it", 0],
  ])("%j matches %d", (q, n) => {
    expect(matchTransformers(all, q)).toHaveLength(n);
  });
});

describe("filterColumns", () => {
  const choices = { "public.orders.note": { source: "null", params: {} } };
  it.each([
    ["", false, ["email", "id", "note", "customer_id"]],
    ["customers", false, ["email", "id"]],
    ["integer", false, ["id", "customer_id"]],
    ["orders integer", false, ["customer_id"]],
    ["null", false, ["note"]],
    ["", true, ["note"]],
  ])("%j (changed only: %s)", (q, changed, want) => {
    expect(filterColumns(columns, q, choices, passthrough, changed).map((c) => c.column)).toEqual(want);
  });
});
