import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { create } from "@bufbuild/protobuf";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { DatabaseColumnSchema } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import { SystemTransformerSchema } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { MappingEditor, virtualizeAbove } from "./mapping-editor";
import { TableScope } from "./table-scope";

const transformers = [
  create(SystemTransformerSchema, { source: "passthrough", name: "Passthrough", description: "Copy the value", jobTypes: ["sync"] }),
  create(SystemTransformerSchema, { source: "transform_email", name: "Transform email", description: "Anonymize an email address", jobTypes: ["sync"] }),
  create(SystemTransformerSchema, { source: "transform_hash", name: "Hash", description: "One-way hash of the value", jobTypes: ["sync"] }),
];
const col = (table: string, column: string, pos: number, dataType = "text") => create(DatabaseColumnSchema, { schema: "public", table, column, dataType, ordinalPosition: pos, isNullable: true });

// jsdom lays nothing out: give the scrolling box and its rows a size, as a
// browser would, so the virtualizer has a window to fill.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};
const size = (el: HTMLElement) => (el.dataset.testid === "mapping-rows" ? 600 : el.dataset.index !== undefined ? 50 : 0);
beforeAll(() => {
  vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockImplementation(function (this: HTMLElement) {
    return size(this);
  });
  vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockImplementation(() => 1000);
  vi.spyOn(HTMLElement.prototype, "offsetHeight", "get").mockImplementation(function (this: HTMLElement) {
    return size(this);
  });
});
afterAll(() => vi.restoreAllMocks());

describe("MappingEditor at scale", () => {
  it("renders only the rows in view of a schema with thousands of columns, and filters them", async () => {
    const many = Array.from({ length: 100 }, (_, t) => Array.from({ length: 50 }, (_, c) => col(`t${String(t).padStart(3, "0")}`, `c${c}`, c + 1, c % 2 ? "integer" : "text"))).flat();
    expect(many.length + 100).toBeGreaterThan(virtualizeAbove);
    render(<MappingEditor columns={many} constraints={[]} transformers={transformers} value={{}} onChange={() => {}} height={600} />);
    const rendered = () => screen.getAllByRole("combobox").filter((s) => s.id.startsWith("map-")).length;
    expect(screen.getByTestId("column-count")).toHaveTextContent("5000 columns");
    expect(rendered()).toBeGreaterThan(0);
    expect(rendered()).toBeLessThan(60);

    await userEvent.type(screen.getByLabelText("Filter columns", { selector: "input" }), "t042 c4");
    // c4 and c40–c49 of table t042: 11 columns, few enough to render them all.
    expect(screen.getByTestId("column-count")).toHaveTextContent("11 of 5000 columns");
    expect(screen.getByRole("region", { name: "Table public.t042" })).toBeInTheDocument();
    expect(rendered()).toBe(11);
  });

  it("finds a transformer by purpose and picks it for one column", async () => {
    const onChange = vi.fn();
    render(<MappingEditor columns={[col("users", "email", 1)]} constraints={[]} transformers={transformers} value={{}} onChange={onChange} />);
    await userEvent.click(screen.getByRole("button", { name: "Search transformers for email" }));
    const search = screen.getByRole("group", { name: "Find a transformer for email" });
    await userEvent.type(within(search).getByRole("combobox"), "one-way");
    const options = within(search).getAllByRole("option");
    expect(options).toHaveLength(1);
    expect(options[0]).toHaveTextContent("Hash");
    await userEvent.click(options[0]);
    expect(onChange).toHaveBeenLastCalledWith(["public.users.email"], { source: "transform_hash", params: {} });
    expect(screen.queryByRole("group", { name: "Find a transformer for email" })).not.toBeInTheDocument();
  });
});

describe("TableScope", () => {
  function Harness({ spy }: { spy: (e: Set<string>) => void }) {
    const [ex, setEx] = useState<Set<string>>(new Set());
    return <TableScope tables={["public.audit", "public.customers", "public.orders", "stats.daily"]} excluded={ex} onChange={(e) => { setEx(e); spy(e); }} />;
  }
  it("includes every table by default, leaves out tables one by one or by filter", async () => {
    let ex = new Set<string>();
    render(<Harness spy={(e) => (ex = e)} />);
    expect(screen.getByTestId("table-scope-count")).toHaveTextContent("4 of 4 included");
    await userEvent.click(screen.getByLabelText("Include public.audit"));
    expect([...ex]).toEqual(["public.audit"]);
    await userEvent.type(screen.getByLabelText("Filter tables"), "stats");
    await userEvent.click(screen.getByRole("button", { name: "Exclude shown" }));
    expect([...ex].sort()).toEqual(["public.audit", "stats.daily"]);
    expect(screen.getByTestId("table-scope-count")).toHaveTextContent("2 of 4 included");
    await userEvent.clear(screen.getByLabelText("Filter tables"));
    await userEvent.click(screen.getByRole("button", { name: "Exclude all" }));
    expect(screen.getByRole("alert")).toHaveTextContent("Include at least one table.");
  });
});
