import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { JsonReport } from "./json-report";

describe("JsonReport", () => {
  it("keeps a multi-line summary's lines at full width and lists of records as tables", () => {
    render(<JsonReport value={{ ok: true, summary: "Verification of dev: OK\nrows public.t source 5, destination 5", tables: [{ table: "public.t", source_rows: 5, dest_rows: 5 }] }} />);
    const summary = screen.getByText(/Verification of dev: OK/);
    expect(summary.textContent).toContain("OK\nrows public.t");
    expect(summary).toHaveClass("whitespace-pre-wrap");
    expect(summary.parentElement).toHaveClass("col-span-full");
    expect(screen.getByRole("columnheader", { name: "source rows" })).toBeInTheDocument();
    expect(screen.getByText("true")).toBeInTheDocument();
  });

  it("puts the summary first and a table's columns in reading order: table, source rows, destination rows, result", () => {
    const { container } = render(
      <JsonReport
        value={{
          ok: false,
          tables: [
            { problem: "3 rows missing", dest_rows: 2, table: "public.a", source_rows: 5 },
            { table: "public.b", copied_rows: 7, source_rows: 7, dest_rows: 7 },
          ],
          summary: "Verification of dev: 1 problem",
        }}
      />,
    );
    expect(screen.getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["table", "source rows", "copied rows", "dest rows", "problem"]);
    expect(container.querySelector("dt")?.textContent).toBe("summary");
  });
});
