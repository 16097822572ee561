"use client";

import type { JobRun } from "@/gen/mgmt/v1alpha1/job_pb";
import { formatNumber } from "@/lib/format";
import { runTotals, tableProgress } from "@/lib/runs";
import { Badge, EmptyState, Table, Td, cx } from "./ui";

const stateTone = { pending: "gray", running: "blue", complete: "green", failed: "red" } as const;

/**
 * RunProgress shows one row per table (per table and destination when the
 * job writes to several): a rows done / expected bar, rows/s and state,
 * and for a large table copied in key ranges how many ranges are done.
 */
export function RunProgress({ run, now }: { run: JobRun; now?: number }) {
  if (run.tables.length === 0) {
    return <EmptyState title="No table progress yet" description="Tables appear here once the worker has planned the run." />;
  }
  const totals = runTotals(run);
  const destinations = [...new Set(run.tables.map((t) => t.destination).filter(Boolean))];
  const perDestination = destinations.length > 0;
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-600" data-testid="run-totals">
        {totals.tablesDone} of {totals.tables} tables complete{destinations.length > 1 ? ` across ${destinations.length} destinations` : ""} · {formatNumber(totals.done)} of {formatNumber(totals.expected)} rows
      </p>
      <Table head={perDestination ? ["Table", "Destination", "Progress", "Rows", "Rows/s", "State"] : ["Table", "Progress", "Rows", "Rows/s", "State"]}>
        {run.tables.map((t) => {
          const p = tableProgress(t, now);
          const key = `${t.schema}.${t.table}`;
          const label = t.destination ? `${key} → ${t.destination}` : key;
          return (
            <tr key={`${t.destination}\u0000${key}`}>
              <Td className="font-mono text-xs whitespace-nowrap">
                {key}
                {t.error && <p className="mt-1 max-w-md whitespace-normal font-sans text-xs text-red-700">{t.error}</p>}
              </Td>
              {perDestination && <Td className="whitespace-nowrap">{t.destination || "—"}</Td>}
              <Td className="min-w-40">
                <div
                  role="progressbar"
                  aria-label={`${label} progress`}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={p.percent}
                  className="h-2 w-full overflow-hidden rounded-full bg-slate-100"
                >
                  <div
                    className={cx("h-full rounded-full transition-all", t.state === "failed" ? "bg-red-500" : t.state === "complete" ? "bg-emerald-500" : "bg-indigo-500")}
                    style={{ width: `${p.percent}%` }}
                  />
                </div>
                <span className="text-xs text-slate-500">
                  {p.percent}%<span className="sm:hidden"> · {formatNumber(p.done)} rows · {t.state || "unknown"}</span>
                </span>
              </Td>
              <Td className="whitespace-nowrap tabular-nums">
                {formatNumber(p.done)} / {p.expected > 0 ? formatNumber(p.expected) : "?"}
              </Td>
              <Td className="whitespace-nowrap tabular-nums">{p.rate === undefined ? "—" : formatNumber(Math.round(p.rate))}</Td>
              <Td>
                <Badge tone={stateTone[t.state as keyof typeof stateTone] ?? "gray"}>{t.state || "unknown"}</Badge>
                {t.rangesTotal > 0 && (
                  <span className="ml-2 whitespace-nowrap text-xs text-slate-500" data-testid="ranges">
                    {t.rangesDone}/{t.rangesTotal} ranges
                  </span>
                )}
              </Td>
            </tr>
          );
        })}
      </Table>
    </div>
  );
}
