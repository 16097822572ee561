// @vitest-environment node
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { SignInError, checkKeyShape, signInFailure } from "./identify";

describe("checkKeyShape", () => {
  it("trims and accepts a key", () => {
    expect(checkKeyShape("  neo_ak_abc-DEF_123 \n")).toBe("neo_ak_abc-DEF_123");
  });
  it.each([[undefined], [42], [""], ["   "], ["neo_ak_a b"], ["k".repeat(513)]])("refuses %j with 400", (v) => {
    let err: unknown;
    try {
      checkKeyShape(v);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SignInError);
    expect((err as SignInError).status).toBe(400);
  });
});

describe("signInFailure", () => {
  it.each([
    [new ConnectError("unauthenticated", Code.Unauthenticated), 401, /did not accept this key/],
    [new ConnectError("a worker key may not call …", Code.PermissionDenied), 403, /worker key/],
    [new ConnectError("down", Code.Unavailable), 502, /not reachable/],
    [new ConnectError("fetch failed", Code.Unknown, undefined, undefined, new TypeError("fetch failed")), 502, /not reachable.*NEOSYNC_API_URL/],
    [new TypeError("fetch failed"), 502, /not reachable/],
    [new ConnectError("database is down", Code.Internal), 502, /could not check this key: database is down/],
  ])("%s → %i", (err, status, message) => {
    const got = signInFailure(err);
    expect(got.status).toBe(status);
    expect(got.message).toMatch(message);
  });
});
