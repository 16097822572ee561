import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { AuditService } from "@/gen/mgmt/v1alpha1/audit_pb";
import { AccountRole, UserAccountService, UserAccountType } from "@/gen/mgmt/v1alpha1/user_account_pb";
import { renderWithAPI } from "@/test/render";
import AuditPage from "./page";

const admin = { id: "a1", name: "data-team", type: UserAccountType.TEAM, role: AccountRole.ADMIN, permissions: ["account.read", "audit.read"] };
const viewer = { ...admin, role: AccountRole.JOB_VIEWER, permissions: ["account.read"] };
const event = (id: number, action: string, actor: string) => ({ id: BigInt(id), accountId: "a1", actor, action, resourceType: "job", resourceId: `job-${id}`, procedure: "/mgmt.v1alpha1.JobService/CreateJob" });

describe("AuditPage", () => {
  it("loads older pages on demand and filters the events loaded", async () => {
    localStorage.clear();
    const asked: string[] = [];
    renderWithAPI(<AuditPage />, (r) => {
      r.service(UserAccountService, { getUserAccounts: () => ({ accounts: [admin] }) });
      r.service(AuditService, {
        getAuditEvents: (req) => {
          asked.push(`${req.accountId}:${req.pageToken}`);
          return req.pageToken === "" ? { events: [event(3, "delete", "Alice Doe"), event(2, "update", "Bob Roe")], nextPageToken: "p2" } : { events: [event(1, "create", "Alice Doe")], nextPageToken: "" };
        },
      });
    });
    await screen.findByText("2 events loaded");
    await userEvent.click(screen.getByRole("button", { name: "Load older events" }));
    await screen.findByText("3 events loaded");
    expect(asked).toEqual(["a1:", "a1:p2"]);
    expect(screen.queryByRole("button", { name: "Load older events" })).toBeNull();
    await userEvent.type(screen.getByLabelText("Actor", { exact: true }), "alice");
    await waitFor(() => expect(screen.getAllByTestId("audit-event")).toHaveLength(2));
    await userEvent.selectOptions(screen.getByLabelText("Action", { exact: true }), "create");
    await waitFor(() => expect(screen.getAllByTestId("audit-event")).toHaveLength(1));
    expect(screen.getByText("1 of 3 events loaded")).toBeInTheDocument();
  });

  it("does not ask the API when the role may not read the trail, and says why", async () => {
    localStorage.clear();
    let asked = false;
    renderWithAPI(<AuditPage />, (r) => {
      r.service(UserAccountService, { getUserAccounts: () => ({ accounts: [viewer] }) });
      r.service(AuditService, { getAuditEvents: () => { asked = true; return {}; } });
    });
    expect(await screen.findByRole("note")).toHaveTextContent("Your role in data-team is job viewer: to read the audit trail you need the admin role.");
    expect(asked).toBe(false);
  });
});
