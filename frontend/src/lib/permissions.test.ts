import { describe, expect, it } from "vitest";
import { AccountRole, UserAccountType } from "@/gen/mgmt/v1alpha1/user_account_pb";
import { pickAccount } from "./account";
import { deniedReason, isTeam, roleLabel } from "./permissions";

const viewer = { name: "data-team", role: AccountRole.JOB_VIEWER, permissions: ["account.read"] };
const executor = { name: "data-team", role: AccountRole.JOB_EXECUTOR, permissions: ["account.read", "run.execute"] };
const admin = {
  name: "mine",
  role: AccountRole.ADMIN,
  permissions: ["account.read", "run.execute", "connection.write", "connection.data.read", "job.write", "transformer.write", "apikey.manage", "member.manage", "audit.read"],
};

describe("deniedReason", () => {
  it("allows what the account's permissions hold", () => {
    for (const p of admin.permissions) expect(deniedReason(admin, p as never)).toBeUndefined();
    expect(deniedReason(executor, "run.execute")).toBeUndefined();
  });

  it("names the role and the role needed", () => {
    expect(deniedReason(viewer, "connection.write")).toBe(
      "Your role in data-team is job viewer: to create, change or delete connections you need the job developer role or higher. Ask an admin of the account.",
    );
    expect(deniedReason(viewer, "run.execute")).toMatch(/job viewer: to start, cancel or pause runs you need the job executor role or higher/);
    expect(deniedReason(executor, "member.manage")).toMatch(/job executor: to manage members and invitations you need the admin role\./);
  });

  it("denies nothing before the account is known (the API decides)", () => {
    expect(deniedReason(undefined, "job.write")).toBeUndefined();
  });
});

describe("roles and accounts", () => {
  it("labels roles as people say them", () => {
    expect([AccountRole.ADMIN, AccountRole.JOB_DEVELOPER, AccountRole.JOB_EXECUTOR, AccountRole.JOB_VIEWER, AccountRole.UNSPECIFIED].map(roleLabel)).toEqual([
      "admin",
      "job developer",
      "job executor",
      "job viewer",
      "no role",
    ]);
  });

  it("picks the chosen account while the caller belongs to it, else the personal one", () => {
    const accounts = [
      { id: "t1", type: UserAccountType.TEAM },
      { id: "p", type: UserAccountType.PERSONAL },
      { id: "t2", type: UserAccountType.TEAM },
    ];
    expect(pickAccount(accounts, "t2")?.id).toBe("t2");
    expect(pickAccount(accounts, "gone")?.id).toBe("p");
    expect(pickAccount(accounts, null)?.id).toBe("p");
    expect(pickAccount([{ id: "t1", type: UserAccountType.TEAM }], null)?.id).toBe("t1");
    expect(pickAccount([], "t1")).toBeUndefined();
    expect(isTeam(accounts[0])).toBe(true);
    expect(isTeam(accounts[1])).toBe(false);
  });
});
