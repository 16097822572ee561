"use client";

import { useEffect, useRef, useState } from "react";
import { createClient, type Client } from "@connectrpc/connect";
import { JobService, type JobRunLogLine } from "@/gen/mgmt/v1alpha1/job_pb";
import { transport } from "@/lib/transport";
import { formatTime } from "@/lib/format";
import { Badge, EmptyState, ErrorBox } from "@/components/ui";

/** fetchLogLines reads a run's log lines after afterId (one pass, no follow). */
export async function fetchLogLines(client: Client<typeof JobService>, jobRunId: string, afterId: bigint): Promise<JobRunLogLine[]> {
  const out: JobRunLogLine[] = [];
  for await (const res of client.getJobRunLogs({ jobRunId, afterId, follow: false })) out.push(...res.lines);
  return out;
}

/**
 * RunLogs shows the worker's log lines of a run, oldest first, polling for
 * new ones every two seconds while the run is active and once more when it
 * ends.
 */
export function RunLogs({ jobRunId, active }: { jobRunId: string; active: boolean }) {
  const [lines, setLines] = useState<JobRunLogLine[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [loaded, setLoaded] = useState(false);
  const last = useRef(0n);
  const client = useRef(createClient(JobService, transport));
  useEffect(() => {
    let stopped = false;
    const load = async () => {
      try {
        const more = await fetchLogLines(client.current, jobRunId, last.current);
        if (stopped) return;
        if (more.length > 0) {
          last.current = more[more.length - 1].id;
          setLines((l) => [...l, ...more]);
        }
        setError(null);
      } catch (e) {
        if (!stopped) setError(e);
      } finally {
        if (!stopped) setLoaded(true);
      }
    };
    void load();
    const timer = active ? setInterval(load, 2000) : undefined;
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
    };
  }, [jobRunId, active]);
  return (
    <>
      <ErrorBox error={error} title="Could not load the logs" />
      {loaded && lines.length === 0 && !error && <EmptyState title="No log lines" description={active ? "Lines appear as the worker works on the run." : "The worker logged nothing for this run, or its lines are past the retention."} />}
      {lines.length > 0 && (
        <div className="max-h-[32rem] overflow-y-auto rounded bg-slate-950 p-3 font-mono text-xs leading-5 text-slate-100" role="log" aria-label="Run logs">
          {lines.map((l) => (
            <div key={l.id.toString()} className="whitespace-pre-wrap break-words">
              <span className="text-slate-400">{formatTime(l.time)}</span>{" "}
              <Badge tone={l.level === "error" ? "red" : l.level === "warn" ? "yellow" : "gray"}>{l.level}</Badge> <span>{l.message}</span>
              {Object.entries(l.attributes)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([k, v]) => (
                  <span key={k} className="text-slate-400">
                    {" "}
                    {k}=<span className="text-sky-300">{v}</span>
                  </span>
                ))}
            </div>
          ))}
        </div>
      )}
    </>
  );
}
