import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ConnectionSchema } from "@/gen/mgmt/v1alpha1/connection_pb";
import { JobSchema, JobService, type UpdateJobSourceConnectionRequest } from "@/gen/mgmt/v1alpha1/job_pb";
import { renderWithAPI } from "@/test/render";
import { SourceChange } from "./source-change";

const connections = ["prod", "empty", "replica", "staging"].map((id) => create(ConnectionSchema, { id, name: `${id}-db` }));
const job = create(JobSchema, {
  id: "j1",
  accountId: "a1",
  source: { options: { case: "sync", value: { connectionId: "prod", subsets: [{ schema: "public", table: "t", whereClause: "id < 5" }], subsetByForeignKeyConstraints: true } } },
  destinations: [{ id: "d1", connectionId: "staging" }],
  mappings: [{ schema: "public", table: "t", column: "email", transformer: { source: "transform_email" } }],
});

describe("SourceChange", () => {
  it("checks the mappings against the new source, shows why it does not fit, and saves one that does", async () => {
    const saved: UpdateJobSourceConnectionRequest[] = [];
    let done = false;
    renderWithAPI(<SourceChange job={job} connections={connections} onDone={() => (done = true)} />, (r) =>
      r.service(JobService, {
        validateJobMappings(req) {
          if (req.connectionId === "empty") return { columnErrors: [{ schema: "public", table: "t", column: "email", errors: ["table public.t does not exist in the source"] }] };
          return {};
        },
        updateJobSourceConnection(req) {
          saved.push(req);
          return { job };
        },
      }),
    );
    const select = screen.getByLabelText("New source connection");
    expect(screen.queryByRole("option", { name: "prod-db" })).toBeNull();
    await userEvent.selectOptions(select, "staging");
    await userEvent.click(screen.getByRole("button", { name: "Change source" }));
    expect(screen.getByRole("alert")).toHaveTextContent("is a destination of the job");
    await userEvent.selectOptions(select, "empty");
    await userEvent.click(screen.getByRole("button", { name: "Change source" }));
    expect(await screen.findByText("public.t.email: table public.t does not exist in the source")).toBeInTheDocument();
    expect(saved).toHaveLength(0);
    await userEvent.selectOptions(select, "replica");
    await userEvent.click(screen.getByRole("button", { name: "Change source" }));
    await waitFor(() => expect(done).toBe(true));
    const src = saved[0].source?.options;
    expect(src?.case).toBe("sync");
    expect(src?.case === "sync" && src.value).toMatchObject({ connectionId: "replica", subsetByForeignKeyConstraints: true, subsets: [{ whereClause: "id < 5" }] });
    expect(saved[0].mappings).toHaveLength(1);
  });

  it("refuses a generate job's schema connection of another kind than its destinations, or one of them", async () => {
    const saved: UpdateJobSourceConnectionRequest[] = [];
    const conn = (id: string, kind: "pgConfig" | "mysqlConfig") => create(ConnectionSchema, { id, name: `${id}-db`, connectionConfig: { config: { case: kind, value: {} } } });
    const gen = create(JobSchema, {
      id: "j2",
      accountId: "a1",
      source: { options: { case: "generate", value: { fkSourceConnectionId: "prod", tables: [{ schema: "public", table: "t", rowCount: 10n }] } } },
      destinations: [{ id: "d1", connectionId: "staging" }],
    });
    renderWithAPI(<SourceChange job={gen} connections={[conn("prod", "pgConfig"), conn("staging", "pgConfig"), conn("maria", "mysqlConfig")]} onDone={() => {}} />, (r) =>
      r.service(JobService, {
        validateJobMappings() {
          return {};
        },
        updateJobSourceConnection(req) {
          saved.push(req);
          return { job: gen };
        },
      }),
    );
    const select = screen.getByLabelText("New schema connection");
    await userEvent.selectOptions(select, "maria");
    await userEvent.click(screen.getByRole("button", { name: "Change source" }));
    expect(screen.getByRole("alert")).toHaveTextContent("The schema comes from a MySQL connection and this destination is PostgreSQL");
    await userEvent.selectOptions(select, "staging");
    await userEvent.click(screen.getByRole("button", { name: "Change source" }));
    expect(screen.getByRole("alert")).toHaveTextContent("never writes into the database its schema comes from");
    expect(saved).toHaveLength(0);
  });
});
