import { describe, expect, it } from "vitest";
import { safeNext, signInHref } from "./sign-in";

describe("safeNext", () => {
  it.each([
    [undefined, "/connections"],
    [null, "/connections"],
    ["", "/connections"],
    ["/jobs/42?tab=runs", "/jobs/42?tab=runs"],
    ["https://evil.example/", "/connections"],
    ["//evil.example/", "/connections"],
    ["/\\evil.example/", "/connections"],
    ["javascript:alert(1)", "/connections"],
    ["/jobs\n", "/connections"],
    ["/sign-in", "/connections"],
    ["/sign-in?next=%2Fjobs", "/connections"],
  ])("%j → %s", (next, want) => {
    expect(safeNext(next)).toBe(want);
  });
});

describe("signInHref", () => {
  it("returns to the page that was refused", () => {
    expect(signInHref("/runs/7?x=1")).toBe("/sign-in?next=%2Fruns%2F7%3Fx%3D1");
  });
  it("does not loop back to the sign-in page", () => {
    expect(signInHref("/sign-in?next=%2Fjobs")).toBe("/sign-in");
  });
});
