import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";

/** formatTime renders a timestamp in the viewer's locale, or an em dash. */
export function formatTime(ts: Timestamp | undefined): string {
  if (!ts) return "—";
  return timestampDate(ts).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** relativeTime renders "3 minutes ago"-style text for recent timestamps. */
export function relativeTime(ts: Timestamp | undefined, now: number = Date.now()): string {
  if (!ts) return "—";
  const secs = Math.round((timestampDate(ts).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  const abs = Math.abs(secs);
  if (abs < 60) return rtf.format(secs, "second");
  if (abs < 3600) return rtf.format(Math.round(secs / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(secs / 3600), "hour");
  return rtf.format(Math.round(secs / 86400), "day");
}

/** formatNumber groups digits (12,345). bigint is accepted for int64 fields. */
export function formatNumber(n: number | bigint): string {
  return new Intl.NumberFormat().format(n);
}

/** formatDuration renders milliseconds as "1m 05s" / "850 ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}
