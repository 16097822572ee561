import { describe, expect, it, vi } from "vitest";
import { create } from "@bufbuild/protobuf";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { DatabaseColumnSchema, TableConstraintsSchema } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import { SystemTransformerSchema, UserDefinedTransformerSchema } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { mappingsOf, paramErrorsOf, type ColumnChoice } from "@/lib/mappings";
import { MappingEditor } from "./mapping-editor";

const col = (table: string, column: string, pos: number, dataType = "text") =>
  create(DatabaseColumnSchema, { schema: "public", table, column, dataType, ordinalPosition: pos, isNullable: column !== "id" });
const columns = [col("orders", "customer_id", 2, "integer"), col("customers", "email", 2), col("customers", "id", 1, "integer"), col("orders", "id", 1, "integer"), col("orders", "note", 3)];
const constraints = [
  create(TableConstraintsSchema, { table: { schema: "public", table: "customers" }, primaryKeyColumns: ["id"] }),
  create(TableConstraintsSchema, {
    table: { schema: "public", table: "orders" },
    primaryKeyColumns: ["id"],
    foreignKeys: [{ constraintName: "fk", columns: ["customer_id"], referencedTable: { schema: "public", table: "customers" }, referencedColumns: ["id"] }],
  }),
];
const transformers = [
  create(SystemTransformerSchema, { source: "passthrough", name: "Passthrough", jobTypes: ["sync"] }),
  create(SystemTransformerSchema, {
    source: "transform_email",
    name: "Transform email",
    jobTypes: ["sync"],
    parameters: [{ name: "preserve_domain", type: "bool", description: "Keep the domain" }],
  }),
  create(SystemTransformerSchema, {
    source: "generate_string",
    name: "Generate string",
    jobTypes: ["sync", "generate"],
    parameters: [{ name: "length", type: "int", description: "Characters", min: 1, max: 64, defaultValue: { kind: { case: "numberValue", value: 10 } } }],
  }),
  create(SystemTransformerSchema, { source: "generate_only", name: "Generate-only job", jobTypes: ["generate"] }),
];

/** Harness keeps the editor's value in state, as the wizard does. */
function Harness({ spy, showErrors = true }: { spy?: (c: Record<string, ColumnChoice>) => void; showErrors?: boolean }) {
  const [v, setV] = useState<Record<string, ColumnChoice>>({});
  return (
    <MappingEditor
      columns={columns}
      constraints={constraints}
      transformers={transformers}
      value={v}
      paramErrors={showErrors ? paramErrorsOf(v, transformers) : undefined}
      onChange={(keys, c) => {
        const n = { ...v };
        for (const k of keys) n[k] = c;
        setV(n);
        spy?.(n);
      }}
    />
  );
}

describe("MappingEditor", () => {
  it("lists tables alphabetically and columns in table order with PK and FK badges", () => {
    render(<MappingEditor columns={columns} constraints={constraints} transformers={transformers} value={{}} onChange={() => {}} />);
    expect(screen.getByRole("region", { name: "Table public.customers" })).toBeInTheDocument();
    expect(screen.getAllByTitle("Primary key")).toHaveLength(2);
    expect(screen.getByTitle("References public.customers.id")).toHaveTextContent("FK → public.customers.id");
    const ids = screen.getAllByRole("combobox").map((s) => s.id).filter((id) => id.startsWith("map-"));
    expect(ids).toEqual(["map-public.customers.id", "map-public.customers.email", "map-public.orders.id", "map-public.orders.customer_id", "map-public.orders.note"]);
  });

  it("offers only sync transformers, grouped, and reports the choice", async () => {
    const onChange = vi.fn();
    render(<MappingEditor columns={columns} constraints={constraints} transformers={transformers} value={{}} onChange={onChange} />);
    const email = screen.getByLabelText("email");
    expect(email).toHaveValue("passthrough");
    expect(screen.queryAllByRole("option", { name: "Generate-only job" })).toHaveLength(0);
    await userEvent.selectOptions(email, "transform_email");
    expect(onChange).toHaveBeenCalledWith(["public.customers.email"], { source: "transform_email", params: {} });
  });

  it("shows validation errors next to their column", () => {
    render(
      <MappingEditor columns={columns} constraints={constraints} transformers={transformers} value={{ "public.customers.email": { source: "generate_string", params: {} } }} onChange={() => {}} errors={{ "public.customers.email": ["column has a unique constraint; generate_string may produce duplicates"] }} />,
    );
    expect(screen.getByRole("alert")).toHaveTextContent("unique constraint");
    expect(screen.getByLabelText("email")).toHaveAttribute("aria-invalid", "true");
  });

  it("edits a column's parameters with a typed form and shows range errors in place", async () => {
    let last: Record<string, ColumnChoice> = {};
    render(<Harness spy={(c) => (last = c)} />);
    await userEvent.selectOptions(screen.getByLabelText("note"), "generate_string");
    await userEvent.click(screen.getByRole("button", { name: "Parameters (defaults)" }));
    const group = screen.getByRole("group", { name: "Parameters of note" });
    const length = within(group).getByLabelText("length");
    expect(length).toHaveAttribute("placeholder", "10");
    await userEvent.type(length, "500");
    expect(within(group).getByRole("alert")).toHaveTextContent("Must be at most 64.");
    expect(length).toHaveAttribute("aria-invalid", "true");
    await userEvent.clear(length);
    await userEvent.type(length, "12");
    expect(within(group).queryByRole("alert")).toBeNull();
    expect(mappingsOf(columns, last, transformers).find((m) => m.column === "note")?.transformer).toEqual({ source: "generate_string", config: { length: 12 }, userDefinedTransformerId: undefined });
    await userEvent.click(screen.getByRole("button", { name: "Hide parameters" }));
    expect(screen.getByRole("button", { name: "Parameters: length=12" })).toBeInTheDocument();
  });

  it("bulk-applies one transformer with its parameters to every column of a type", async () => {
    let last: Record<string, ColumnChoice> = {};
    render(<Harness spy={(c) => (last = c)} />);
    const bulk = screen.getByRole("region", { name: "Bulk apply" });
    await userEvent.selectOptions(within(bulk).getByLabelText("Select columns of type"), "text");
    expect(within(bulk).getByTestId("bulk-count")).toHaveTextContent("2 columns selected");
    await userEvent.selectOptions(within(bulk).getByLabelText("Transformer"), "generate_string");
    await userEvent.type(within(bulk).getByLabelText("length"), "0");
    await userEvent.click(within(bulk).getByRole("button", { name: "Apply to 2 columns" }));
    expect(within(bulk).getByRole("alert")).toHaveTextContent("Must be at least 1.");
    expect(last).toEqual({});
    await userEvent.clear(within(bulk).getByLabelText("length"));
    await userEvent.type(within(bulk).getByLabelText("length"), "8");
    await userEvent.click(within(bulk).getByRole("button", { name: "Apply to 2 columns" }));
    expect(Object.keys(last).sort()).toEqual(["public.customers.email", "public.orders.note"]);
    expect(last["public.orders.note"]).toEqual({ source: "generate_string", params: { length: "8" } });
    expect(screen.getByLabelText("email")).toHaveValue("generate_string");
    expect(within(bulk).getByTestId("bulk-count")).toHaveTextContent("0 columns selected");
  });

  it("selects a whole table with its header checkbox and applies to it", async () => {
    let last: Record<string, ColumnChoice> = {};
    render(<Harness spy={(c) => (last = c)} />);
    await userEvent.click(screen.getByLabelText("Select all columns of public.orders"));
    await userEvent.click(screen.getAllByLabelText("Select id")[0]);
    const bulk = screen.getByRole("region", { name: "Bulk apply" });
    expect(within(bulk).getByTestId("bulk-count")).toHaveTextContent("4 columns selected");
    await userEvent.selectOptions(within(bulk).getByLabelText("Transformer"), "transform_email");
    await userEvent.click(within(bulk).getByRole("button", { name: "Apply to 4 columns" }));
    expect(Object.keys(last).sort()).toEqual(["public.customers.id", "public.orders.customer_id", "public.orders.id", "public.orders.note"]);
  });

  it("offers saved user-defined transformers and sends their id and config", async () => {
    const udts = [create(UserDefinedTransformerSchema, { id: "11111111-1111-1111-1111-111111111111", name: "short-strings", source: "generate_string", config: { length: 4 } })];
    const onChange = vi.fn();
    render(<MappingEditor columns={columns} constraints={constraints} transformers={transformers} userTransformers={udts} value={{}} onChange={onChange} />);
    await userEvent.selectOptions(screen.getByLabelText("note"), "udt:11111111-1111-1111-1111-111111111111");
    const choice = onChange.mock.calls[0][1] as ColumnChoice;
    expect(choice).toEqual({ source: "generate_string", params: {}, userDefinedId: udts[0].id });
    const m = mappingsOf(columns, { "public.orders.note": choice }, transformers, udts).find((x) => x.column === "note");
    expect(m?.transformer).toEqual({ source: "generate_string", config: { length: 4 }, userDefinedTransformerId: udts[0].id });
  });
});
