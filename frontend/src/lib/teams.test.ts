import { describe, expect, it } from "vitest";
import { AccountRole } from "@/gen/mgmt/v1alpha1/user_account_pb";
import { adminCount, filterEvents, inviteLink, isLastAdmin, teamNameError, tokenFromHash } from "./teams";

describe("teamNameError", () => {
  it.each([
    ["data-team", undefined],
    ["abc", undefined],
    ["ab", "Use 3 to 63 characters."],
    ["a".repeat(64), "Use 3 to 63 characters."],
    ["Data Team", "Use lowercase letters, digits and hyphens only (e.g. data-team)."],
    ["-team", "Start and end with a letter or a digit."],
  ])("%s", (name, want) => expect(teamNameError(name)).toBe(want));
});

describe("invite links", () => {
  it("carry the token in the fragment and read it back", () => {
    const link = inviteLink("https://neosync.example.com", "tok+/=en");
    expect(link).toBe("https://neosync.example.com/invitations#token=tok%2B%2F%3Den");
    expect(tokenFromHash(new URL(link).hash)).toBe("tok+/=en");
    expect(tokenFromHash("")).toBe("");
    expect(tokenFromHash("#other=1")).toBe("");
  });
});

describe("last admin", () => {
  const a = { role: AccountRole.ADMIN };
  const v = { role: AccountRole.JOB_VIEWER };
  it("is the only admin", () => {
    expect(adminCount([a, v, a])).toBe(2);
    expect(isLastAdmin(a, [a, v])).toBe(true);
    expect(isLastAdmin(a, [a, v, a])).toBe(false);
    expect(isLastAdmin(v, [a, v])).toBe(false);
  });
});

describe("filterEvents", () => {
  const events = [
    { action: "invite", resourceType: "invite", actor: "Alice Doe" },
    { action: "accept", resourceType: "invite", actor: "Bob Roe" },
    { action: "create", resourceType: "connection", actor: "api key ci" },
  ];
  it("matches action, resource and a piece of the actor's name; empty filters match all", () => {
    expect(filterEvents(events, { action: "", resource: "", actor: "" })).toEqual(events);
    expect(filterEvents(events, { action: "", resource: "invite", actor: "" })).toHaveLength(2);
    expect(filterEvents(events, { action: "accept", resource: "invite", actor: "" })).toEqual([events[1]]);
    expect(filterEvents(events, { action: "", resource: "", actor: " alice " })).toEqual([events[0]]);
    expect(filterEvents(events, { action: "delete", resource: "", actor: "" })).toEqual([]);
  });
});
