import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import { AccountRole, UserAccountService, UserAccountType } from "@/gen/mgmt/v1alpha1/user_account_pb";
import { chooseAccount, useDenied } from "@/lib/account";
import { renderWithAPI } from "@/test/render";
import { Button, ButtonLink, RoleNote } from "./ui";

function Page() {
  const denied = useDenied("connection.write");
  return (
    <>
      <RoleNote reason={denied} />
      <ButtonLink href="/connections/new" denied={denied}>New connection</ButtonLink>
      <Button denied={useDenied("run.execute")}>Run now</Button>
    </>
  );
}

const accounts = [
  { id: "p", name: "alice", type: UserAccountType.PERSONAL, role: AccountRole.ADMIN, permissions: ["account.read", "run.execute", "connection.write"] },
  { id: "t", name: "data-team", type: UserAccountType.TEAM, role: AccountRole.JOB_EXECUTOR, permissions: ["account.read", "run.execute"] },
];
const api = (r: Parameters<NonNullable<Parameters<typeof renderWithAPI>[1]>>[0]) => r.service(UserAccountService, { getUserAccounts: () => ({ accounts }) });

describe("actions gated by role", () => {
  it("keeps everything enabled where the role allows it", async () => {
    localStorage.clear();
    renderWithAPI(<Page />, api);
    await waitFor(() => expect(screen.getByRole("link", { name: "New connection" })).toBeInTheDocument());
    expect(screen.getByRole("button", { name: "Run now" })).toBeEnabled();
    expect(screen.queryByRole("note")).toBeNull();
  });

  it("disables, with the reason, what the chosen team's role does not allow", async () => {
    localStorage.clear();
    chooseAccount("t");
    renderWithAPI(<Page />, api);
    const button = await screen.findByRole("button", { name: "New connection" });
    expect(button).toBeDisabled();
    expect(button).toHaveAttribute("title", expect.stringMatching(/^Your role in data-team is job executor: to create, change or delete connections you need the job developer role or higher/));
    expect(screen.getByRole("note")).toHaveTextContent("job executor");
    expect(screen.getByRole("button", { name: "Run now" })).toBeEnabled();
    expect(screen.queryByRole("link", { name: "New connection" })).toBeNull();
  });
});
