import { describe, expect, it } from "vitest";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { lifetimeDays } from "./api-keys";

const t0 = Date.UTC(2026, 0, 1);
const day = 86_400_000;

describe("lifetimeDays", () => {
  it.each([
    ["a 30-day key", { createdAt: timestampFromMs(t0), expiresAt: timestampFromMs(t0 + 30 * day) }, 30],
    ["a key regenerated for a year", { createdAt: timestampFromMs(t0), updatedAt: timestampFromMs(t0 + 10 * day), expiresAt: timestampFromMs(t0 + 375 * day + 5000) }, 365],
    ["a 7-day key made by the CLI", { createdAt: timestampFromMs(t0), expiresAt: timestampFromMs(t0 + 7 * day) }, 7],
    ["no expiry", { createdAt: timestampFromMs(t0) }, 90],
  ])("%s", (_, k, want) => {
    expect(lifetimeDays(k)).toBe(want);
  });
});
