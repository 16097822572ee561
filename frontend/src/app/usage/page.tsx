"use client";

import { useState } from "react";
import { useQuery } from "@connectrpc/connect-query";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { JobService } from "@/gen/mgmt/v1alpha1/job_pb";
import { useAccount } from "@/lib/account";
import { lastDays, usageSeries } from "@/lib/usage";
import { Card, EmptyState, ErrorBox, Loading, PageHeader, Table, Td, inputClass } from "@/components/ui";

const ranges = [7, 30, 90, 365];
const colors = ["#4f46e5", "#0891b2", "#16a34a", "#d97706", "#db2777", "#7c3aed", "#0d9488", "#dc2626", "#65a30d", "#475569"];
const numbers = new Intl.NumberFormat();

export default function UsagePage() {
  const { account, error: accountError } = useAccount();
  const [days, setDays] = useState(30);
  const [jobId, setJobId] = useState("");
  const range = lastDays(days);
  const jobs = useQuery(JobService.method.getJobs, { accountId: account?.id }, { enabled: !!account });
  const usage = useQuery(
    JobService.method.getUsage,
    { accountId: account?.id ?? "", jobId: jobId || undefined, startDate: range.start, endDate: range.end },
    { enabled: !!account },
  );
  const series = usage.data ? usageSeries(usage.data.days, range) : undefined;
  return (
    <>
      <PageHeader title="Usage" description="Rows copied to destinations per day (UTC), from the run records: a table's rows count on the day its copy ended, once per destination." />
      <div className="mb-4 flex flex-wrap items-end gap-4">
        <label className="text-sm text-slate-700">
          <span className="mb-1 block font-medium">Range</span>
          <select aria-label="Range" className={inputClass} value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {ranges.map((n) => (
              <option key={n} value={n}>
                Last {n} days
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm text-slate-700">
          <span className="mb-1 block font-medium">Job</span>
          <select aria-label="Job" className={inputClass} value={jobId} onChange={(e) => setJobId(e.target.value)}>
            <option value="">All jobs</option>
            {(jobs.data?.jobs ?? []).map((j) => (
              <option key={j.id} value={j.id}>
                {j.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={accountError ?? usage.error} title="Could not load usage" />
      {!accountError && !usage.error && !series ? (
        <Loading />
      ) : series && series.jobs.length === 0 ? (
        <EmptyState title="No rows copied in this range" description="Runs count here once their tables are copied." />
      ) : series ? (
        <>
          <Card title={`${numbers.format(Number(usage.data?.totalRows ?? 0))} rows from ${range.start} to ${range.end}`}>
            <div className="h-80 w-full" role="img" aria-label={`Rows copied per day from ${range.start} to ${range.end}`}>
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={series.rows} margin={{ top: 8, right: 8, bottom: 8, left: 16 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="date" tickFormatter={(d: string) => d.slice(5)} minTickGap={16} fontSize={12} />
                  <YAxis tickFormatter={(v: number) => numbers.format(v)} fontSize={12} width={72} />
                  <Tooltip formatter={(v) => numbers.format(Number(v))} />
                  <Legend />
                  {series.jobs.map((j, i) => (
                    <Bar key={j.id} dataKey={j.id} name={j.name} stackId="rows" fill={colors[i % colors.length]} isAnimationActive={false} />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </div>
          </Card>
          <div className="mt-4">
            <Table head={["Job", "Rows"]}>
              {series.jobs.map((j) => (
                <tr key={j.id}>
                  <Td>{j.name}</Td>
                  <Td className="tabular-nums">{numbers.format(j.rows)}</Td>
                </tr>
              ))}
            </Table>
          </div>
        </>
      ) : null}
    </>
  );
}
