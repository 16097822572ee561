import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";

/** lifetimeOptions are the expiry choices offered for a key, in days. */
export const lifetimeOptions = [30, 90, 365];

/**
 * lifetimeDays is how many days a key was given when it last got its value
 * (expiry minus the last update, or creation), rounded; 90 when unknown.
 * Regenerate offers it first, so a 30-day key stays a 30-day key.
 */
export function lifetimeDays(k: { createdAt?: Timestamp; updatedAt?: Timestamp; expiresAt?: Timestamp }): number {
  const from = k.updatedAt ?? k.createdAt;
  if (!from || !k.expiresAt) return 90;
  const days = Math.round((timestampDate(k.expiresAt).getTime() - timestampDate(from).getTime()) / 86_400_000);
  return days >= 1 ? days : 90;
}

/** dayLabel reads a lifetime: "30 days", "1 year". */
export function dayLabel(days: number): string {
  return days === 365 ? "1 year" : `${days} day${days === 1 ? "" : "s"}`;
}
