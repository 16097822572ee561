import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/react";
import { ReportVerdict, withoutVerdict } from "./report-verdict";

describe("ReportVerdict", () => {
  it("shows the status and the findings worst first", () => {
    render(
      <ReportVerdict
        report={{
          status: "FAIL",
          findings: [
            { status: "FAIL", destination: "stage", message: "shop.customers.email (transform_email): 3 of 10 rows kept their own source value" },
            { status: "WARN", destination: "stage", message: "shop.customers.last_name (transform_last_name): 10.0% of rows hold a source value" },
          ],
        }}
      />,
    );
    const verdict = screen.getByLabelText("Verification verdict");
    const items = within(verdict).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(items[0].textContent).toContain("FAIL");
    expect(items[0].textContent).toContain("kept their own source value");
    expect(items[1].textContent).toContain("WARN");
  });

  it("says nothing for a report without a status, and strips what it shows", () => {
    const { container } = render(<ReportVerdict report={{ summary: "Verification of dev: OK" }} />);
    expect(container).toBeEmptyDOMElement();
    expect(withoutVerdict({ status: "OK", findings: [], summary: "x" })).toEqual({ summary: "x" });
  });
});
