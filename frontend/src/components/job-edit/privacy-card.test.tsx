import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ConsistentPrf, JobSchema, JobService, type UpdateJobSourceConnectionRequest } from "@/gen/mgmt/v1alpha1/job_pb";
import { checkPrivacy, leakPolicyOf, privacyDraftOf, serverFieldErrors } from "@/lib/privacy";
import { renderWithAPI } from "@/test/render";
import { PrivacyCard } from "./privacy-card";

function v1Job() {
  return create(JobSchema, {
    id: "j1",
    source: { options: { case: "sync", value: { connectionId: "c1", subsets: [{ schema: "public", table: "users", whereClause: "id < 10" }], consistentPrf: ConsistentPrf.V1, leakPolicy: { failRate: 0.1 } } } },
    mappings: [{ schema: "public", table: "users", column: "id", transformer: { source: "passthrough" } }],
  });
}

describe("privacy settings", () => {
  it("reads fractions as percentages and writes them back", () => {
    const d = privacyDraftOf(v1Job().source?.options.value as never);
    expect(d).toEqual({ prf: "v1", warnRate: "", failRate: "10", reidentifiedFailRate: "" });
    expect(leakPolicyOf({ ...d, warnRate: "2.5", reidentifiedFailRate: "0.1" })).toEqual({ warnRate: 0.025, failRate: 0.1, reidentifiedFailRate: 0.001 });
    expect(privacyDraftOf()).toEqual({ prf: "v2", warnRate: "", failRate: "", reidentifiedFailRate: "" });
  });

  it("refuses rates that are not percentages above 0 and at most 100", () => {
    const d = { prf: "v2" as const, warnRate: "0", failRate: "150", reidentifiedFailRate: "abc" };
    expect(Object.keys(checkPrivacy(d)).sort()).toEqual(["failRate", "reidentifiedFailRate", "warnRate"]);
    expect(checkPrivacy({ ...d, warnRate: "1", failRate: "100%", reidentifiedFailRate: " " })).toEqual({});
  });

  it("places an API error at the threshold it names", () => {
    expect(Object.keys(serverFieldErrors("source.sync.leak_policy: leak policy reidentified_fail_rate is 2; it must be a fraction between 0 and 1"))).toEqual(["reidentifiedFailRate"]);
    expect(Object.keys(serverFieldErrors("source.sync.leak_policy: leak policy fail_rate is 2"))).toEqual(["failRate"]);
  });
});

describe("PrivacyCard", () => {
  it("shows the settings, refuses a bad rate at its input, warns before switching the PRF and saves the source unchanged otherwise", async () => {
    const saved: UpdateJobSourceConnectionRequest[] = [];
    const job = v1Job();
    renderWithAPI(<PrivacyCard job={job} />, (r) =>
      r.service(JobService, {
        updateJobSourceConnection(req) {
          saved.push(req);
          return { job };
        },
      }),
    );
    expect(screen.getByText(/v1 — AES over an unkeyed FNV-128a hash/)).toBeInTheDocument();
    expect(screen.getByText("10 %")).toBeInTheDocument();
    expect(screen.getByText("1 % (default)")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Edit privacy" }));

    const warn = screen.getByLabelText("Warn rate (%)");
    await userEvent.type(warn, "250");
    await userEvent.click(screen.getByRole("button", { name: "Save privacy" }));
    expect(screen.getByText("A percentage above 0 and at most 100, or empty for the default.")).toBeInTheDocument();
    expect(warn).toHaveAttribute("aria-invalid", "true");
    expect(saved).toHaveLength(0);

    expect(screen.queryByRole("note", { name: "PRF migration note" })).toBeNull();
    await userEvent.selectOptions(screen.getByLabelText("Consistent-mode PRF"), "v2");
    expect(screen.getByRole("note", { name: "PRF migration note" })).toHaveTextContent("Re-copy every table");

    await userEvent.clear(warn);
    await userEvent.type(warn, "2");
    await userEvent.click(screen.getByRole("button", { name: "Save privacy" }));
    await waitFor(() => expect(saved).toHaveLength(1));
    const src = saved[0].source?.options;
    expect(src?.case).toBe("sync");
    if (src?.case !== "sync") return;
    expect(src.value.consistentPrf).toBe(ConsistentPrf.V2);
    expect(src.value.leakPolicy).toMatchObject({ warnRate: 0.02, failRate: 0.1 });
    expect(src.value.leakPolicy?.reidentifiedFailRate).toBeUndefined();
    expect(src.value.connectionId).toBe("c1");
    expect(src.value.subsets).toHaveLength(1);
    expect(saved[0].mappings).toHaveLength(1);
  });

  it("shows an API error about a threshold under its input", async () => {
    renderWithAPI(<PrivacyCard job={v1Job()} />, (r) =>
      r.service(JobService, {
        updateJobSourceConnection() {
          throw new ConnectError("source.sync.leak_policy: leak policy fail_rate is 2; it must be a fraction between 0 and 1", Code.InvalidArgument);
        },
      }),
    );
    await userEvent.click(screen.getByRole("button", { name: "Edit privacy" }));
    await userEvent.click(screen.getByRole("button", { name: "Save privacy" }));
    await waitFor(() => expect(screen.getByLabelText("Fail rate (%)")).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getByText(/leak policy fail_rate is 2/)).toBeInTheDocument();
  });
});
