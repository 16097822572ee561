import { describe, expect, it } from "vitest";
import { cronError, describeCron, nextRuns } from "./cron";

describe("cronError", () => {
  it.each([
    ["", ""],
    ["0 3 * * *", ""],
    ["*/15 * * * *", ""],
    ["0 9-17 * * MON-FRI", ""],
    ["0 0 1,15 * ?", ""],
    ["@daily", ""],
    ["@every 1h30m", ""],
  ])("accepts %j", (expr, want) => {
    expect(cronError(expr)).toBe(want);
  });

  it.each([
    ["every day", "want five fields"],
    ["0 3 * *", "got 4"],
    ["60 * * * *", "minute: 60 is outside 0–59"],
    ["0 24 * * *", "hour: 24 is outside 0–23"],
    ["0 0 0 * *", "day of month: 0 is outside 1–31"],
    ["0 0 * 13 *", "month: 13 is outside 1–12"],
    ["0 0 * * 7", "day of week: 7 is outside 0–6"],
    ["0 0 * * FUNDAY", 'day of week: "FUNDAY" is not a number'],
    ["*/0 * * * *", "step \"0\" must be a whole number above 0"],
    ["0 5-1 * * *", "runs backwards"],
    ["@fortnightly", "unknown descriptor"],
    ["@every 10", "must be a duration"],
  ])("refuses %j naming the problem", (expr, want) => {
    expect(cronError(expr)).toContain(want);
  });
});

describe("describeCron", () => {
  it.each([
    ["0 3 * * *", "At 03:00, every day (UTC)"],
    ["*/15 * * * *", "Every 15 minutes (UTC)"],
    ["* * * * *", "Every minute (UTC)"],
    ["30 * * * *", "At minute 30 past every hour, every day (UTC)"],
    ["0 9 * * 1-5", "At 09:00, on weekdays (UTC)"],
    ["0 0 * * 0,6", "At 00:00, on weekends (UTC)"],
    ["0 2 1 * *", "At 02:00, on day 1 of the month (UTC)"],
    ["0 6 * 1,7 1", "At 06:00, on Monday in January and July (UTC)"],
    ["0 0 1 * 1", "At 00:00, on day 1 of the month or on any Monday (UTC)"],
    ["@daily", "At 00:00, every day (UTC)"],
    ["@every 1h30m", "Every 1 hour and 30 minutes, counted from when the schedule was saved"],
    ["nonsense", ""],
  ])("%j reads %j", (expr, want) => {
    expect(describeCron(expr)).toBe(want);
  });
});

describe("nextRuns", () => {
  const from = new Date(Date.UTC(2026, 0, 30, 10, 17, 42)); // a Friday
  const iso = (ds: Date[]) => ds.map((d) => d.toISOString());
  it.each([
    ["0 3 * * *", 2, ["2026-01-31T03:00:00.000Z", "2026-02-01T03:00:00.000Z"]],
    ["*/20 * * * *", 3, ["2026-01-30T10:20:00.000Z", "2026-01-30T10:40:00.000Z", "2026-01-30T11:00:00.000Z"]],
    ["0 9 * * MON", 1, ["2026-02-02T09:00:00.000Z"]],
    ["0 0 29 2 *", 1, ["2028-02-29T00:00:00.000Z"]],
    ["0 0 1 * 1", 2, ["2026-02-01T00:00:00.000Z", "2026-02-02T00:00:00.000Z"]],
    ["0 0 31 2 *", 1, []],
  ])("%j after Fri 2026-01-30 10:17 UTC", (expr, n, want) => {
    expect(iso(nextRuns(expr, from, n))).toEqual(want);
  });
});
