import { timestampDate } from "@bufbuild/protobuf/wkt";
import { JobRunStatus, type JobRun, type JobRunTableProgress } from "@/gen/mgmt/v1alpha1/job_pb";

/** isActive reports whether a run may still change (so the page polls it). */
export function isActive(s: JobRunStatus): boolean {
  return s === JobRunStatus.PENDING || s === JobRunStatus.RUNNING;
}

export const statusLabel: Record<JobRunStatus, string> = {
  [JobRunStatus.UNSPECIFIED]: "Unknown",
  [JobRunStatus.PENDING]: "Pending",
  [JobRunStatus.RUNNING]: "Running",
  [JobRunStatus.COMPLETE]: "Complete",
  [JobRunStatus.FAILED]: "Failed",
  [JobRunStatus.CANCELED]: "Canceled",
  [JobRunStatus.TERMINATED]: "Terminated",
};

export const statusTone = {
  [JobRunStatus.UNSPECIFIED]: "gray",
  [JobRunStatus.PENDING]: "gray",
  [JobRunStatus.RUNNING]: "blue",
  [JobRunStatus.COMPLETE]: "green",
  [JobRunStatus.FAILED]: "red",
  [JobRunStatus.CANCELED]: "yellow",
  [JobRunStatus.TERMINATED]: "yellow",
} as const;

/** tableProgress derives what the progress row shows: percent and rows per second. */
export function tableProgress(t: JobRunTableProgress, now: number = Date.now()) {
  const done = Number(t.rowsDone);
  const expected = Number(t.rowsExpected);
  const percent = t.state === "complete" ? 100 : expected > 0 ? Math.min(100, Math.floor((done / expected) * 100)) : 0;
  let rate: number | undefined;
  if (t.startedAt && done > 0) {
    const end = t.completedAt ? timestampDate(t.completedAt).getTime() : now;
    const secs = (end - timestampDate(t.startedAt).getTime()) / 1000;
    if (secs > 0) rate = done / secs;
  }
  return { done, expected, percent, rate };
}

/** runTotals sums rows over all tables. */
export function runTotals(run: JobRun) {
  let done = 0;
  let expected = 0;
  let tablesDone = 0;
  for (const t of run.tables) {
    done += Number(t.rowsDone);
    expected += Number(t.rowsExpected);
    if (t.state === "complete") tablesDone++;
  }
  return { done, expected, tablesDone, tables: run.tables.length };
}

/** runDurationMs is how long a run took, or has taken so far at now; undefined before it starts. */
export function runDurationMs(run: Pick<JobRun, "startedAt" | "completedAt">, now: number = Date.now()): number | undefined {
  if (!run.startedAt) return undefined;
  const end = run.completedAt ? timestampDate(run.completedAt).getTime() : now;
  return end - timestampDate(run.startedAt).getTime();
}

/** statusFilters are the run statuses a list can be filtered by, as URL values. */
export const statusFilters: Record<string, JobRunStatus[]> = {
  active: [JobRunStatus.PENDING, JobRunStatus.RUNNING],
  complete: [JobRunStatus.COMPLETE],
  failed: [JobRunStatus.FAILED],
  stopped: [JobRunStatus.CANCELED, JobRunStatus.TERMINATED],
};

/** canRerun reports whether a run ended without completing, so running its job again is offered. */
export function canRerun(s: JobRunStatus): boolean {
  return s === JobRunStatus.FAILED || s === JobRunStatus.CANCELED || s === JobRunStatus.TERMINATED;
}
