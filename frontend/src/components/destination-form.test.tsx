import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { ConnectionSchema } from "@/gen/mgmt/v1alpha1/connection_pb";
import { DestinationList, checkDestinations, destinationOptionsOf, newDestination, type DestinationDraft, type DestinationErrors } from "./destination-form";

const connections = [
  create(ConnectionSchema, { id: "src", name: "prod" }),
  create(ConnectionSchema, { id: "d1", name: "staging" }),
  create(ConnectionSchema, { id: "d2", name: "dev" }),
];

function Harness({ spy }: { spy: (v: DestinationDraft[], e: DestinationErrors[]) => void }) {
  const [v, setV] = useState([newDestination()]);
  const [errs, setErrs] = useState<DestinationErrors[]>([]);
  return (
    <>
      <DestinationList value={v} onChange={setV} connections={connections} errors={errs} />
      <button onClick={() => { const e = checkDestinations(v, "src"); setErrs(e); spy(v, e); }}>validate</button>
    </>
  );
}

describe("DestinationList", () => {
  it("adds destinations with their own options and validates them in place", async () => {
    let got: DestinationDraft[] = [];
    let errs: DestinationErrors[] = [];
    render(<Harness spy={(v, e) => { got = v; errs = e; }} />);
    await userEvent.click(screen.getByRole("button", { name: "validate" }));
    expect(screen.getByText("Choose a connection.")).toBeInTheDocument();
    expect(screen.getByLabelText("Destination 1 connection")).toHaveAttribute("aria-invalid", "true");

    await userEvent.selectOptions(screen.getByLabelText("Destination 1 connection"), "d1");
    await userEvent.click(screen.getByRole("button", { name: "+ Add destination" }));
    const second = screen.getByRole("region", { name: "Destination 2" });
    await userEvent.selectOptions(within(second).getByLabelText("Destination 2 connection"), "d1");
    await userEvent.selectOptions(within(second).getByLabelText("When a row already exists"), "do_nothing");
    await userEvent.click(within(second).getByLabelText(/Truncate before copying/));
    expect(within(second).getByLabelText(/Cascade/)).toBeDisabled();
    await userEvent.type(within(second).getByLabelText("Batch size"), "12x");
    await userEvent.click(screen.getByRole("button", { name: "validate" }));
    expect(within(second).getByText("This connection is already a destination.")).toBeInTheDocument();
    expect(within(second).getByText(/A whole number from 1 to 100000/)).toBeInTheDocument();
    expect(errs[0]).toEqual({});

    await userEvent.selectOptions(within(second).getByLabelText("Destination 2 connection"), "d2");
    await userEvent.clear(within(second).getByLabelText("Batch size"));
    await userEvent.type(within(second).getByLabelText("Batch size"), "500");
    await userEvent.click(screen.getByRole("button", { name: "validate" }));
    expect(errs).toEqual([{}, {}]);
    expect(got.map(destinationOptionsOf)).toEqual([
      { initTableSchema: true, truncateBeforeInsert: true, truncateCascade: true, onConflict: "", batchSize: 0 },
      { initTableSchema: true, truncateBeforeInsert: false, truncateCascade: false, onConflict: "do_nothing", batchSize: 500 },
    ]);

    await userEvent.click(screen.getByRole("button", { name: "Remove destination 1" }));
    expect(screen.queryByRole("region", { name: "Destination 2" })).toBeNull();
    expect(screen.getByLabelText("Destination 1 connection")).toHaveValue("d2");
  });

  it("refuses the source as a destination", () => {
    expect(checkDestinations([{ ...newDestination(), connectionId: "src" }], "src")[0].connectionId).toMatch(/different connection/);
  });

  it("refuses a generate job's schema connection as a destination", () => {
    expect(checkDestinations([{ ...newDestination(), connectionId: "schema" }], "schema", [], true)[0].connectionId).toMatch(/the one the schema comes from/);
    expect(checkDestinations([{ ...newDestination(), connectionId: "other" }], "schema", [], true)[0]).toEqual({});
  });

  it("words the options for a generate job", () => {
    render(<DestinationList value={[newDestination()]} onChange={() => {}} connections={connections} generate />);
    expect(screen.getByLabelText(/Truncate before generating/)).toBeInTheDocument();
    expect(screen.getByText(/a table that already holds rows stops the run/)).toBeInTheDocument();
    expect(screen.queryByText(/Truncate before copying/)).toBeNull();
  });

  it("refuses a destination of another kind than a generate job's schema, and a bucket", () => {
    const conn = (id: string, kind: "pgConfig" | "mysqlConfig" | "awsS3Config") => create(ConnectionSchema, { id, connectionConfig: { config: { case: kind, value: {} } } });
    const connections = [conn("pg", "pgConfig"), conn("pg2", "pgConfig"), conn("maria", "mysqlConfig"), conn("bucket", "awsS3Config")];
    const check = (dest: string) => checkDestinations([{ ...newDestination(), connectionId: dest }], "pg", connections, true)[0];
    expect(check("maria").connectionId).toMatch(/schema comes from a PostgreSQL connection and this destination is MySQL/);
    expect(check("bucket").connectionId).toMatch(/not into an S3 bucket/);
    expect(check("pg2")).toEqual({});
  });

  it("lets a sync export into an S3 bucket, and refuses another kind of database", () => {
    const conn = (id: string, kind: "pgConfig" | "mysqlConfig" | "awsS3Config") => create(ConnectionSchema, { id, connectionConfig: { config: { case: kind, value: {} } } });
    const connections = [conn("pg", "pgConfig"), conn("maria", "mysqlConfig"), conn("bucket", "awsS3Config")];
    const check = (dest: string) => checkDestinations([{ ...newDestination(), connectionId: dest }], "pg", connections)[0];
    expect(check("bucket")).toEqual({});
    expect(check("maria").connectionId).toMatch(/The source is PostgreSQL and this destination is MySQL/);
  });
});
