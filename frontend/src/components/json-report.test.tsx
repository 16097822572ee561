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
});
