import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { DatabaseColumnSchema } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import { VirtualFkEditor, type VirtualFk } from "./virtual-fk-editor";

const col = (table: string, column: string, pos: number, dataType = "integer") => create(DatabaseColumnSchema, { schema: "public", table, column, dataType, ordinalPosition: pos });
const columns = [col("accounts", "id", 1), col("accounts", "code", 2, "text"), col("events", "id", 1), col("events", "account_id", 2), col("events", "account_code", 3, "text")];

function Harness({ spy }: { spy: (v: VirtualFk[]) => void }) {
  const [v, setV] = useState<VirtualFk[]>([]);
  return <VirtualFkEditor columns={columns} value={v} onChange={(n) => { setV(n); spy(n); }} />;
}

describe("VirtualFkEditor", () => {
  it("adds a virtual foreign key between columns of the same type, refuses mismatches and duplicates, removes", async () => {
    let got: VirtualFk[] = [];
    render(<Harness spy={(v) => (got = v)} />);
    await userEvent.click(screen.getByRole("button", { name: "Add foreign key" }));
    expect(screen.getByRole("alert")).toHaveTextContent("Choose a column and the column it references.");
    await userEvent.selectOptions(screen.getByLabelText("Referencing table"), "public.events");
    await userEvent.selectOptions(screen.getByLabelText("Referencing column"), "account_id");
    await userEvent.selectOptions(screen.getByLabelText("Referenced table"), "public.accounts");
    await userEvent.selectOptions(screen.getByLabelText("Referenced column"), "code");
    await userEvent.click(screen.getByRole("button", { name: "Add foreign key" }));
    expect(screen.getByRole("alert")).toHaveTextContent("The types differ: integer and text.");
    await userEvent.selectOptions(screen.getByLabelText("Referenced column"), "id");
    await userEvent.click(screen.getByRole("button", { name: "Add foreign key" }));
    expect(got).toEqual([{ schema: "public", table: "events", columns: ["account_id"], referencedSchema: "public", referencedTable: "accounts", referencedColumns: ["id"] }]);
    expect(screen.getByRole("list", { name: "Virtual foreign keys" })).toHaveTextContent("public.events(account_id) → public.accounts(id)");
    expect(screen.getByLabelText("Referencing table")).toHaveValue("");

    await userEvent.selectOptions(screen.getByLabelText("Referencing table"), "public.events");
    await userEvent.selectOptions(screen.getByLabelText("Referencing column"), "account_id");
    await userEvent.selectOptions(screen.getByLabelText("Referenced table"), "public.accounts");
    await userEvent.selectOptions(screen.getByLabelText("Referenced column"), "id");
    await userEvent.click(screen.getByRole("button", { name: "Add foreign key" }));
    expect(screen.getByRole("alert")).toHaveTextContent("already declared");

    await userEvent.click(screen.getByRole("button", { name: "Remove public.events(account_id) → public.accounts(id)" }));
    expect(got).toEqual([]);
  });
});
