import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { screen } from "@testing-library/react";
import { JobSchema, JobService, JobType } from "@/gen/mgmt/v1alpha1/job_pb";
import { renderWithAPI } from "@/test/render";
import { PlanCheckCard } from "./plan-check-card";

describe("PlanCheckCard", () => {
  it("lists the plan's warnings, such as the tables truncate_cascade empties outside the job", async () => {
    const job = create(JobSchema, { id: "j1", type: JobType.SYNC });
    const warning = "destination staging: truncate_cascade empties 2 tables outside the job: public.orders, public.invoices";
    renderWithAPI(<PlanCheckCard job={job} />, (r) => r.service(JobService, { getJobPlan: () => ({ text: "", warnings: [warning] }) }));
    expect(await screen.findByText(warning)).toBeInTheDocument();
    expect(screen.getByRole("status", { name: "Plan warnings" })).toHaveTextContent("a warning");
  });

  it("says why the next run would be refused", async () => {
    const job = create(JobSchema, { id: "j2", type: JobType.SYNC });
    renderWithAPI(<PlanCheckCard job={job} />, (r) =>
      r.service(JobService, {
        getJobPlan: () => {
          throw new ConnectError("destination staging is the source itself", Code.FailedPrecondition);
        },
      }),
    );
    expect(await screen.findByText("The next run would be refused")).toBeInTheDocument();
    expect(screen.getByText(/is the source itself/)).toBeInTheDocument();
  });

  it("checks a generate job's destinations as well", async () => {
    const job = create(JobSchema, { id: "j3", type: JobType.GENERATE });
    const warning = "the run will be refused: destination staging: table public.customers already holds rows, and generating replaces a table's rows";
    renderWithAPI(<PlanCheckCard job={job} />, (r) => r.service(JobService, { getJobPlan: () => ({ text: "", warnings: [warning] }) }));
    expect(await screen.findByText(warning)).toBeInTheDocument();
  });
});
