"use client";

import { cronError, describeCron, localZone, nextRuns } from "@/lib/cron";

/** formatLocal renders a time in the viewer's zone with the zone's short name (e.g. "Jan 31, 2026, 4:00 AM CET"); dateStyle cannot be combined with timeZoneName, so the fields are named. */
export function formatLocal(d: Date): string {
  return d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" });
}

/**
 * CronHint reads a schedule as it is typed: why it would be refused, or
 * what it means in plain English (times are UTC, as the API schedules
 * them) and when it would next run in the viewer's time zone.
 */
export function CronHint({ expr, id, now = Date.now() }: { expr: string; id?: string; now?: number }) {
  if (!expr.trim()) return <span id={id}>Runs only when started by hand (Run now, the CLI or the API).</span>;
  const err = cronError(expr);
  if (err) {
    return (
      <span id={id} className="text-red-700" role="alert">
        {err} Use five fields like 0 3 * * * (minute hour day-of-month month day-of-week), or @daily.
      </span>
    );
  }
  const next = nextRuns(expr, new Date(now), 1)[0];
  return (
    <span id={id} data-testid="cron-description">
      {describeCron(expr)}.{" "}
      {next ? <>Next run {formatLocal(next)} ({localZone()}).</> : "It never runs (no such date)."}
    </span>
  );
}
