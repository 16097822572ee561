import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { ConnectionDataService } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import { renderWithAPI } from "@/test/render";
import { SubsetEditor, normalizeWhere, subsetsOf, useSubsetChecks, whereProblem } from "./subset-editor";

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
