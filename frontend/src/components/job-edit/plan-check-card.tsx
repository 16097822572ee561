"use client";

import { useQuery } from "@connectrpc/connect-query";
import { JobService, type Job } from "@/gen/mgmt/v1alpha1/job_pb";
import { Card, ErrorBox, Loading } from "@/components/ui";

/**
 * PlanCheckCard shows what the API's plan of the job's next run says
 * before anything is written: the warnings (tables a destination's
 * truncate_cascade will empty outside the job, unique columns under
 * transformers that may repeat values, …), or why the next run would be
 * refused (a destination that is the source, a truncate that reaches
 * tables outside the job without truncate_cascade, …). A generate job's
 * plan checks its destinations too: one that is the schema connection's
 * own database, or whose tables hold rows without truncate before insert.
 */
export function PlanCheckCard({ job }: { job: Job }) {
  const plan = useQuery(JobService.method.getJobPlan, { id: job.id });
  const warnings = plan.data?.warnings ?? [];
  return (
    <Card title="Before the next run">
      {plan.isLoading && <Loading />}
      <ErrorBox error={plan.error} title="The next run would be refused" />
      {plan.data && warnings.length === 0 && <p className="text-sm text-slate-600">The plan of the next run has no warnings.</p>}
      {warnings.length > 0 && (
        <div role="status" aria-label="Plan warnings" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
          <p className="font-medium">The plan of the next run has {warnings.length === 1 ? "a warning" : `${warnings.length} warnings`}:</p>
          <ul className="mt-1 list-disc space-y-1 pl-5">
            {warnings.map((w) => (
              <li key={w} className="break-words">{w}</li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}
