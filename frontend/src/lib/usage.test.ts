// @vitest-environment node
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { DailyUsageSchema } from "@/gen/mgmt/v1alpha1/job_pb";
import { lastDays, usageSeries } from "./usage";

describe("lastDays", () => {
  it("ends today (UTC) and spans n days", () => {
    expect(lastDays(7, new Date("2026-12-04T23:30:00Z"))).toEqual({ start: "2026-11-28", end: "2026-12-04" });
    expect(lastDays(1, new Date("2026-03-01T00:10:00Z"))).toEqual({ start: "2026-03-01", end: "2026-03-01" });
  });
});

describe("usageSeries", () => {
  it("fills every day, pivots by job and orders jobs by rows", () => {
    const days = [
      create(DailyUsageSchema, { date: "2026-12-02", jobId: "a", jobName: "nightly", rows: 100n, runs: 1n }),
      create(DailyUsageSchema, { date: "2026-12-02", jobId: "b", jobName: "hourly", rows: 30n, runs: 2n }),
      create(DailyUsageSchema, { date: "2026-12-04", jobId: "b", jobName: "hourly", rows: 500n, runs: 3n }),
    ];
    const { rows, jobs } = usageSeries(days, { start: "2026-12-01", end: "2026-12-04" });
    expect(jobs).toEqual([
      { id: "b", name: "hourly", rows: 530 },
      { id: "a", name: "nightly", rows: 100 },
    ]);
    expect(rows).toEqual([
      { date: "2026-12-01", a: 0, b: 0 },
      { date: "2026-12-02", a: 100, b: 30 },
      { date: "2026-12-03", a: 0, b: 0 },
      { date: "2026-12-04", a: 0, b: 500 },
    ]);
  });
  it("gives an empty range's days zero jobs", () => {
    expect(usageSeries([], { start: "2026-12-04", end: "2026-12-04" })).toEqual({ rows: [{ date: "2026-12-04" }], jobs: [] });
  });
});
