import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { create } from "@bufbuild/protobuf";
import { ConnectionDataService, RowValueSchema, type RowValue } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import { renderWithAPI } from "@/test/render";
import { SubsetEditor, cellText, normalizeWhere, sampleNote, subsetsOf, useSubsetChecks, whereProblem } from "./subset-editor";

const tables = [
  { schema: "public", table: "customers" },
  { schema: "public", table: "orders" },
];

function Harness({ onCheckAll }: { onCheckAll?: (ok: boolean) => void }) {
  const [where, setWhere] = useState<Record<string, string>>({});
  const [follow, setFollow] = useState(true);
  const checks = useSubsetChecks("conn-1");
  return (
    <>
      <SubsetEditor connectionId="conn-1" tables={tables} where={where} onWhere={(k, v) => setWhere((w) => ({ ...w, [k]: v }))} followFks={follow} onFollowFks={setFollow} checks={checks} />
      <button onClick={async () => onCheckAll?.(await checks.checkAll(tables, where))}>check all</button>
      <output data-testid="state">{JSON.stringify({ follow, subsets: subsetsOf(where, tables) })}</output>
    </>
  );
}

const routes = (seen: (string | undefined)[]) => (r: Parameters<NonNullable<Parameters<typeof renderWithAPI>[1]>>[0]) =>
  r.service(ConnectionDataService, {
    getTableRowCount(req) {
      seen.push(req.whereClause);
      if (req.connectionId !== "conn-1") throw new ConnectError("wrong connection", Code.NotFound);
      if (!req.whereClause) return { count: req.table === "customers" ? 500n : 2000n };
      if (req.whereClause === "id <= 100") return { count: 100n };
      throw new ConnectError('where_clause: column "bogus" does not exist', Code.InvalidArgument);
    },
    // customers' rows may be read; orders' are refused, as to a role
    // without the data permission.
    async *getConnectionDataStream(req) {
      if (req.table === "orders") throw new ConnectError("job viewer may not read data", Code.PermissionDenied);
      const row = (id: string, email: string | null) => ({ values: [{ value: { case: "text" as const, value: id } }, { value: email === null ? { case: "isNull" as const, value: true } : { case: "text" as const, value: email } }] });
      yield { columns: ["id", "email"], rows: [row("1", "ann@example.com"), row("2", null), row("3", "c@example.com"), row("4", "d"), row("5", "e"), row("6", "extra")].slice(0, req.batchSize) };
      yield { columns: ["id", "email"], rows: [row("7", "never read")] };
    },
  });

describe("SubsetEditor", () => {
  it("shows each table's size and previews a WHERE clause's row count", async () => {
    const seen: (string | undefined)[] = [];
    renderWithAPI(<Harness />, routes(seen));
    expect(await screen.findByText("500 rows")).toBeInTheDocument();
    expect(await screen.findByText("2,000 rows")).toBeInTheDocument();
    const customers = screen.getByLabelText("public.customers");
    await userEvent.type(customers, "WHERE id <= 100");
    await userEvent.click(screen.getAllByRole("button", { name: "Preview rows" })[0]);
    expect(await screen.findByTestId("subset-count-public.customers")).toHaveTextContent("100 of 500 rows match (20%)");
    expect(seen).toContain("id <= 100");
    const sample = await screen.findByTestId("subset-sample-public.customers");
    expect(sample).toHaveTextContent("First 5 rows as the source holds them (before transformers)");
    const rows = within(sample).getAllByRole("row");
    expect(rows.map((r) => r.textContent)).toEqual(["idemail", "1ann@example.com", "2NULL", "3c@example.com", "4d", "5e"]);
    expect(JSON.parse(screen.getByTestId("state").textContent!)).toEqual({ follow: true, subsets: [{ schema: "public", table: "customers", whereClause: "id <= 100" }] });
  });

  it("shows the database's error under a clause that does not run, and blocks checkAll", async () => {
    let ok: boolean | undefined;
    renderWithAPI(<Harness onCheckAll={(v) => (ok = v)} />, routes([]));
    const orders = screen.getByLabelText("public.orders");
    await userEvent.type(orders, "bogus > 1");
    await userEvent.click(screen.getByRole("button", { name: "check all" }));
    const item = orders.closest("li")!;
    expect(await within(item).findByRole("alert")).toHaveTextContent('column "bogus" does not exist');
    expect(orders).toHaveAttribute("aria-invalid", "true");
    expect(ok).toBe(false);
    await userEvent.clear(orders);
    await userEvent.type(orders, "id <= 100");
    expect(orders).not.toHaveAttribute("aria-invalid");
    await userEvent.click(screen.getByRole("button", { name: "check all" }));
    expect(await within(item).findByText("100 of 2,000 rows match (5%)")).toBeInTheDocument();
    expect(ok).toBe(true);
    expect(within(item).getByText("Sample rows are shown only to roles that may read the source's data.")).toBeInTheDocument();
    expect(within(item).queryByRole("table")).toBeNull();
  });

  it("rejects several statements before asking the database, and toggles follow-FK", async () => {
    const seen: (string | undefined)[] = [];
    renderWithAPI(<Harness />, routes(seen));
    await userEvent.type(screen.getByLabelText("public.customers"), "id < 3; drop table x");
    await userEvent.click(screen.getAllByRole("button", { name: "Preview rows" })[0]);
    expect(await screen.findByText("Write a single condition, without ';'.")).toBeInTheDocument();
    expect(seen.filter(Boolean)).toEqual([]);
    await userEvent.click(screen.getByLabelText(/Subset by foreign keys/));
    expect(JSON.parse(screen.getByTestId("state").textContent!).follow).toBe(false);
  });

  it("normalizes clauses", () => {
    expect(normalizeWhere("  where  a = 1 ")).toBe("a = 1");
    expect(whereProblem("a = 1 -- x")).toBe("Remove the SQL comment.");
    expect(whereProblem("")).toBe("");
  });
});

describe("sample rows", () => {
  it("shows NULL, cuts long text and sizes binary values", () => {
    const v = (value: RowValue["value"]) => create(RowValueSchema, { value });
    expect(cellText(v({ case: "isNull", value: true }))).toBe("NULL");
    expect(cellText(v({ case: "text", value: "a\tb\n c" }))).toBe("a b c");
    expect(cellText(v({ case: "text", value: "x".repeat(41) }))).toBe("x".repeat(39) + "…");
    expect(cellText(v({ case: "text", value: "é".repeat(40) }))).toBe("é".repeat(40));
    expect(cellText(v({ case: "binary", value: new Uint8Array(3) }))).toBe("<3 bytes>");
  });
  it("says a role without the data permission sees the count only", () => {
    expect(sampleNote(new ConnectError("no", Code.PermissionDenied))).toMatch(/only to roles that may read the source's data/);
    expect(sampleNote(new ConnectError("boom", Code.Internal))).toBe("Sample rows unavailable: boom");
  });
});
