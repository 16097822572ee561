import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { render, screen, within } from "@testing-library/react";
import { JobRunSchema, JobRunStatus } from "@/gen/mgmt/v1alpha1/job_pb";
import { RunProgress } from "./run-progress";

const t0 = Date.UTC(2026, 0, 1);

describe("RunProgress", () => {
  it("shows per-table progress, rows per second and state", () => {
    const run = create(JobRunSchema, {
      status: JobRunStatus.RUNNING,
      tables: [
        { schema: "public", table: "customers", state: "complete", rowsDone: 500n, rowsExpected: 500n, startedAt: timestampFromMs(t0), completedAt: timestampFromMs(t0 + 5000) },
        { schema: "public", table: "orders", state: "running", rowsDone: 250n, rowsExpected: 1000n, startedAt: timestampFromMs(t0) },
        { schema: "public", table: "audit", state: "failed", rowsDone: 0n, rowsExpected: 10n, error: "permission denied" },
      ],
    });
    render(<RunProgress run={run} now={t0 + 10_000} />);
    expect(screen.getByTestId("run-totals")).toHaveTextContent("1 of 3 tables complete · 750 of 1,510 rows");
    const bars = screen.getAllByRole("progressbar");
    expect(bars.map((b) => b.getAttribute("aria-valuenow"))).toEqual(["100", "25", "0"]);
    const orders = screen.getByText("public.orders").closest("tr")!;
    expect(within(orders).getByText("25")).toBeInTheDocument(); // 250 rows in 10 s
    expect(within(orders).getByText("running")).toBeInTheDocument();
    const customers = screen.getByText("public.customers").closest("tr")!;
    expect(within(customers).getByText("100")).toBeInTheDocument(); // 500 rows in 5 s
    expect(screen.getByText("permission denied")).toBeInTheDocument();
  });

  it("shows one row per table and destination when the job writes to several", () => {
    const run = create(JobRunSchema, {
      status: JobRunStatus.RUNNING,
      tables: [
        { destination: "staging", schema: "public", table: "customers", state: "complete", rowsDone: 5n, rowsExpected: 5n },
        { destination: "dev", schema: "public", table: "customers", state: "running", rowsDone: 2n, rowsExpected: 5n },
      ],
    });
    render(<RunProgress run={run} />);
    expect(screen.getByTestId("run-totals")).toHaveTextContent("1 of 2 tables complete across 2 destinations · 7 of 10 rows");
    expect(screen.getByRole("columnheader", { name: "Destination" })).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "public.customers → dev progress" })).toHaveAttribute("aria-valuenow", "40");
    expect(within(screen.getByText("staging").closest("tr")!).getByText("complete")).toBeInTheDocument();
  });

  it("shows the key ranges done of a table copied in ranges", () => {
    const run = create(JobRunSchema, {
      status: JobRunStatus.RUNNING,
      tables: [{ schema: "public", table: "big", state: "running", rowsDone: 300n, rowsExpected: 800n, rangesTotal: 8, rangesDone: 3 }],
    });
    render(<RunProgress run={run} />);
    expect(within(screen.getByText("public.big").closest("tr")!).getByTestId("ranges")).toHaveTextContent("3/8 ranges");
  });

  it("explains an empty run", () => {
    render(<RunProgress run={create(JobRunSchema, { status: JobRunStatus.PENDING })} />);
    expect(screen.getByText("No table progress yet")).toBeInTheDocument();
  });
});
