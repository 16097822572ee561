import { describe, expect, it, vi } from "vitest";
import { useState } from "react";
import { create } from "@bufbuild/protobuf";
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ConnectionDataService } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import { SystemTransformerSchema, TransformerParameterSchema } from "@/gen/mgmt/v1alpha1/transformer_pb";
import type { ColumnChoice } from "@/lib/mappings";
import { usePiiSuggestions } from "@/lib/pii";
import { renderWithAPI } from "@/test/render";
import { PiiSuggestions } from "./pii-suggestions";

const transformers = [
  create(SystemTransformerSchema, {
    source: "transform_email",
    jobTypes: ["sync"],
    parameters: [create(TransformerParameterSchema, { name: "preserve_domain", type: "bool" }), create(TransformerParameterSchema, { name: "invalid_email_action", type: "string" })],
  }),
  create(SystemTransformerSchema, { source: "generate_ssn", jobTypes: ["sync", "generate"] }),
];

const findings = [
  {
    schema: "public", table: "users", column: "email", kind: "email", confidence: 0.99,
    evidence: { sampled: 30, nonNull: 30, matched: 30 },
    suggestedTransformer: { source: "transform_email", config: { preserve_domain: false, invalid_email_action: "generate" } },
  },
  { schema: "public", table: "users", column: "ssn", kind: "ssn", confidence: 0.5, evidence: { sampled: 0 }, suggestedTransformer: { source: "generate_ssn" } },
  // A transformer the job cannot use is not offered.
  { schema: "public", table: "users", column: "ip", kind: "ipv4", confidence: 0.9, evidence: { sampled: 3, nonNull: 3, matched: 3 }, suggestedTransformer: { source: "no_such_transformer" } },
];

function Harness({ onChoices }: { onChoices: (c: Record<string, ColumnChoice>) => void }) {
  const [choices, setChoices] = useState<Record<string, ColumnChoice>>({});
  const pii = usePiiSuggestions("conn-1", true, transformers);
  return (
    <PiiSuggestions
      suggestions={pii.suggestions}
      loading={pii.loading}
      error={pii.error}
      value={choices}
      onAccept={(acc) => {
        const n = { ...choices };
        for (const a of acc) n[a.key] = a.choice;
        setChoices(n);
        onChoices(n);
      }}
    />
  );
}

describe("PiiSuggestions", () => {
  it("badges each flagged column and accepts every suggestion, with its parameters, in one click", async () => {
    let got: Record<string, ColumnChoice> = {};
    let asked = "";
    renderWithAPI(<Harness onChoices={(c) => (got = c)} />, (r) =>
      r.service(ConnectionDataService, {
        scanConnectionPii: (req) => {
          asked = req.connectionId;
          return { findings, tablesScanned: 1 };
        },
      }),
    );
    expect(await screen.findByText("Personal data found in 2 columns")).toBeInTheDocument();
    expect(asked).toBe("conn-1");
    expect(screen.getAllByText("Suggested")).toHaveLength(2);
    expect(screen.getByText("email (30 of 30 sampled values)")).toBeInTheDocument();
    expect(screen.getByText("SSN (by its name)")).toBeInTheDocument();
    expect(screen.queryByText("public.users.ip")).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Accept all suggestions" }));
    expect(got["public.users.email"]).toEqual({ source: "transform_email", params: { preserve_domain: false, invalid_email_action: "generate" } });
    expect(got["public.users.ssn"]).toEqual({ source: "generate_ssn", params: {} });
    expect(screen.getAllByText("Accepted")).toHaveLength(2);
    expect(screen.getByRole("button", { name: "Accept all suggestions" })).toBeDisabled();
  });

  it("shows nothing when the scan finds nothing", async () => {
    let done = false;
    const { container } = renderWithAPI(<Harness onChoices={() => {}} />, (r) =>
      r.service(ConnectionDataService, {
        scanConnectionPii: () => {
          done = true;
          return { findings: [], tablesScanned: 3 };
        },
      }),
    );
    await vi.waitFor(() => expect(done).toBe(true));
    await vi.waitFor(() => expect(container.textContent).toBe(""));
  });
});
