import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { useQuery } from "@connectrpc/connect-query";
import { fireEvent, screen, waitFor } from "@testing-library/react";
import { JobSchema, JobService, type Job } from "@/gen/mgmt/v1alpha1/job_pb";
import { renderWithAPI } from "@/test/render";
import { DestinationsCard } from "./destinations-card";

// Card renders DestinationsCard with the job as the job page does: from
// GetJob, so a change saved through the card reaches it only by a refetch.
function Card() {
  const q = useQuery(JobService.method.getJob, { id: "j1" });
  if (!q.data?.job) return <p>loading</p>;
  return <DestinationsCard job={q.data.job} connections={[]} connName={(id) => id} />;
}

describe("DestinationsCard", () => {
  it("closes the remove dialog only once the refetched job no longer lists the destination", async () => {
    let job: Job = create(JobSchema, {
      id: "j1",
      source: { options: { case: "sync", value: { connectionId: "prod" } } },
      destinations: [
        { id: "d1", connectionId: "staging" },
        { id: "d2", connectionId: "dev" },
      ],
    });
    renderWithAPI(<Card />, (r) =>
      r.service(JobService, {
        // A slow GetJob, as on a busy API: the window in which a stale
        // list could be shown and checked against.
        getJob: async () => {
          const snapshot = job;
          await new Promise((ok) => setTimeout(ok, 300));
          return { job: snapshot };
        },
        deleteJobDestinationConnection: (req) => {
          job = create(JobSchema, { ...job, destinations: job.destinations.filter((d) => d.id !== req.destinationId) });
          return {};
        },
      }),
    );
    fireEvent.click(await screen.findByRole("button", { name: "Remove destination dev" }));
    fireEvent.click(await screen.findByRole("button", { name: "Remove destination" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument(), { timeout: 3000 });
    // The moment the dialog is gone, the card already shows the new list.
    expect(screen.getByText("Destinations (1)")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Edit destination dev" })).not.toBeInTheDocument();
  });
});
