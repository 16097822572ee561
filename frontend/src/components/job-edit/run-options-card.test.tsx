import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { JobSchema, JobService, type SetJobSyncOptionsRequest, type SetJobWorkflowOptionsRequest } from "@/gen/mgmt/v1alpha1/job_pb";
import { renderWithAPI } from "@/test/render";
import { checkRowCounts, generateTablesOf } from "../generate-rows";
import { RunOptionsCard } from "./run-options-card";

describe("RunOptionsCard", () => {
  it("shows defaults, refuses out-of-range values in place and saves workflow and sync options", async () => {
    const wf: SetJobWorkflowOptionsRequest[] = [];
    const sync: SetJobSyncOptionsRequest[] = [];
    const job = create(JobSchema, { id: "j1", syncOptions: { heartbeatTimeoutSeconds: 30n } });
    renderWithAPI(<RunOptionsCard job={job} />, (r) =>
      r.service(JobService, {
        setJobWorkflowOptions(req) {
          wf.push(req);
          return { job };
        },
        setJobSyncOptions(req) {
          sync.push(req);
          return { job };
        },
      }),
    );
    expect(screen.getByText("30 s")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Edit options" }));
    expect(screen.getByLabelText("Heartbeat timeout")).toHaveValue("30");
    await userEvent.type(screen.getByLabelText("Max attempts per table"), "101");
    await userEvent.click(screen.getByRole("button", { name: "Save options" }));
    expect(screen.getByText("A whole number from 1 to 100, or empty.")).toBeInTheDocument();
    expect(wf).toHaveLength(0);
    await userEvent.clear(screen.getByLabelText("Max attempts per table"));
    await userEvent.type(screen.getByLabelText("Max attempts per table"), "3");
    await userEvent.type(screen.getByLabelText("Run timeout"), "3600");
    await userEvent.click(screen.getByRole("button", { name: "Save options" }));
    await waitFor(() => expect(sync).toHaveLength(1));
    expect(wf[0].workflowOptions?.runTimeoutSeconds).toBe(3600n);
    expect(sync[0].syncOptions).toMatchObject({ heartbeatTimeoutSeconds: 30n, maxAttempts: 3 });
    expect(sync[0].syncOptions?.startToCloseTimeoutSeconds).toBeUndefined();
  });
});

describe("generate rows", () => {
  const tables = [
    { schema: "public", table: "a" },
    { schema: "public", table: "b" },
  ];
  it("needs at least one table and whole numbers", () => {
    expect(checkRowCounts(tables, {})).toEqual({ "": "Ask for rows in at least one table." });
    expect(Object.keys(checkRowCounts(tables, { "public.a": "10", "public.b": "1.5" }))).toEqual(["public.b"]);
    expect(generateTablesOf(tables, { "public.a": " 10 " })).toEqual([{ schema: "public", table: "a", rowCount: 10n }]);
  });
});
