import type { DailyUsage } from "@/gen/mgmt/v1alpha1/job_pb";

/** UsageRange is a range of UTC days, inclusive, as YYYY-MM-DD. */
export type UsageRange = { start: string; end: string };

/** lastDays returns the range of the last n UTC days up to today. */
export function lastDays(n: number, now: Date = new Date()): UsageRange {
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const start = new Date(end.getTime() - (n - 1) * 86_400_000);
  return { start: day(start), end: day(end) };
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** A chart row: one day, with each job's rows under the job's id. */
export type UsageRow = { date: string } & Record<string, number | string>;

/**
 * usageSeries turns GetUsage's days (only days with usage) into one row per
 * day of the range, zeros included, with each job's rows under its id, and
 * the jobs found (id and name) ordered by rows, largest first.
 */
export function usageSeries(days: DailyUsage[], range: UsageRange): { rows: UsageRow[]; jobs: { id: string; name: string; rows: number }[] } {
  const jobs = new Map<string, { id: string; name: string; rows: number }>();
  const byDay = new Map<string, UsageRow>();
  const start = Date.parse(range.start + "T00:00:00Z");
  const end = Date.parse(range.end + "T00:00:00Z");
  for (let t = start; t <= end; t += 86_400_000) {
    const d = day(new Date(t));
    byDay.set(d, { date: d });
  }
  for (const u of days) {
    const job = jobs.get(u.jobId) ?? { id: u.jobId, name: u.jobName, rows: 0 };
    job.rows += Number(u.rows);
    jobs.set(u.jobId, job);
    const row = byDay.get(u.date);
    if (row) row[u.jobId] = (Number(row[u.jobId]) || 0) + Number(u.rows);
  }
  const list = [...jobs.values()].sort((a, b) => b.rows - a.rows || a.name.localeCompare(b.name));
  const rows = [...byDay.values()];
  for (const r of rows) for (const j of list) r[j.id] ??= 0;
  return { rows, jobs: list };
}
