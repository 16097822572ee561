import { describe, expect, it, vi } from "vitest";
import { create } from "@bufbuild/protobuf";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { DatabaseColumnSchema, TableConstraintsSchema } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import { SystemTransformerSchema } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { MappingEditor } from "./mapping-editor";

const col = (table: string, column: string, pos: number, dataType = "text") =>
  create(DatabaseColumnSchema, { schema: "public", table, column, dataType, ordinalPosition: pos, isNullable: column !== "id" });
const columns = [col("orders", "customer_id", 2, "integer"), col("customers", "email", 2), col("customers", "id", 1, "integer"), col("orders", "id", 1, "integer")];
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
  create(SystemTransformerSchema, { source: "transform_email", name: "Transform email", jobTypes: ["sync"] }),
  create(SystemTransformerSchema, { source: "generate_email", name: "Generate email", jobTypes: ["sync", "generate"] }),
  create(SystemTransformerSchema, { source: "generate_only", name: "Generate-only job", jobTypes: ["generate"] }),
];

describe("MappingEditor", () => {
  it("lists tables alphabetically and columns in table order with PK and FK badges", () => {
    render(<MappingEditor columns={columns} constraints={constraints} transformers={transformers} value={{}} onChange={() => {}} />);
    expect(screen.getByRole("region", { name: "Table public.customers" })).toBeInTheDocument();
    expect(screen.getAllByTitle("Primary key")).toHaveLength(2);
    expect(screen.getByTitle("References public.customers.id")).toHaveTextContent("FK → public.customers.id");
    const labels = screen.getAllByRole("combobox").map((s) => s.id);
    expect(labels).toEqual(["map-public.customers.id", "map-public.customers.email", "map-public.orders.id", "map-public.orders.customer_id"]);
  });

  it("offers only sync transformers, grouped, and reports the choice", async () => {
    const onChange = vi.fn();
    render(<MappingEditor columns={columns} constraints={constraints} transformers={transformers} value={{}} onChange={onChange} />);
    const email = screen.getByLabelText("email");
    expect(email).toHaveValue("passthrough");
    expect(screen.queryAllByRole("option", { name: "Generate-only job" })).toHaveLength(0);
    await userEvent.selectOptions(email, "transform_email");
    expect(onChange).toHaveBeenCalledWith("public.customers.email", "transform_email");
  });

  it("shows validation errors next to their column", () => {
    render(
      <MappingEditor columns={columns} constraints={constraints} transformers={transformers} value={{ "public.customers.email": "generate_email" }} onChange={() => {}} errors={{ "public.customers.email": ["column has a unique constraint; generate_email may produce duplicates"] }} />,
    );
    expect(screen.getByRole("alert")).toHaveTextContent("unique constraint");
    expect(screen.getByLabelText("email")).toHaveAttribute("aria-invalid", "true");
  });
});
