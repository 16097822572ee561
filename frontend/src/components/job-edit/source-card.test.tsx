import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { screen } from "@testing-library/react";
import { JobSchema, JobService } from "@/gen/mgmt/v1alpha1/job_pb";
import { renderWithAPI } from "@/test/render";
import { SourceCard } from "./source-card";

describe("SourceCard", () => {
  it("shows the job's key range size, or that the worker's applies", () => {
    const job = (rangeRows?: bigint) =>
      create(JobSchema, { id: "j1", source: { options: { case: "sync", value: { connectionId: "c1", rangeRows } } } });
    const { unmount } = renderWithAPI(<SourceCard job={job(250_000n)} connName={() => "prod"} connections={[]} />, (r) => r.service(JobService, {}));
    expect(screen.getByText("250,000 rows per range (set with neosync apply range_rows)")).toBeInTheDocument();
    unmount();
    renderWithAPI(<SourceCard job={job()} connName={() => "prod"} connections={[]} />, (r) => r.service(JobService, {}));
    expect(screen.getByText("The worker's (NEOSYNC_RANGE_ROWS)")).toBeInTheDocument();
  });
});
