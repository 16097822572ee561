// Cron expressions as the API reads them (robfig/cron with minute, hour,
// day of month, month, day of week and descriptors; schedules run in UTC):
// checked in the browser so a bad schedule is refused where it is typed,
// described in plain English, and stepped forward to show the next run.

/** CronSpec is a parsed expression: the allowed values of each field, or an interval for "@every". */
export type CronSpec =
  | { kind: "fields"; minute: Set<number>; hour: Set<number>; dom: Set<number>; month: Set<number>; dow: Set<number>; domStar: boolean; dowStar: boolean; source: string[] }
  | { kind: "every"; ms: number };

type FieldDef = { name: string; min: number; max: number; names?: string[] };

const fields: FieldDef[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  { name: "day of week", min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

const descriptors: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** CronError is an expression the API would refuse, with the reason. */
export class CronError extends Error {}

function value(s: string, f: FieldDef): number {
  const named = f.names?.indexOf(s.toLowerCase()) ?? -1;
  if (named >= 0) return named + (f.name === "month" ? 1 : 0);
  if (!/^\d+$/.test(s)) throw new CronError(`${f.name}: "${s}" is not a number${f.names ? ` or a name like ${f.names[0].toUpperCase()}` : ""}`);
  const n = Number(s);
  if (n < f.min || n > f.max) throw new CronError(`${f.name}: ${n} is outside ${f.min}–${f.max}`);
  return n;
}

function parseField(expr: string, f: FieldDef): Set<number> {
  const out = new Set<number>();
  for (const part of expr.split(",")) {
    const [range, stepText, extra] = part.split("/");
    if (extra !== undefined || range === "") throw new CronError(`${f.name}: "${part}" is not a value, range or step`);
    let lo: number;
    let hi: number;
    if (range === "*" || range === "?") {
      lo = f.min;
      hi = f.max;
    } else if (range.includes("-")) {
      const [a, b] = range.split("-");
      lo = value(a, f);
      hi = value(b, f);
      if (lo > hi) throw new CronError(`${f.name}: range ${range} runs backwards`);
    } else {
      lo = value(range, f);
      hi = stepText === undefined ? lo : f.max;
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) throw new CronError(`${f.name}: step "${stepText}" must be a whole number above 0`);
      step = Number(stepText);
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** isStar mirrors robfig/cron's star bit: a "*" or "?" part without a step above 1. */
function isStar(field: string): boolean {
  return field.split(",").some((p) => /^[*?](\/1)?$/.test(p));
}

const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** parseCron reads an expression the way the API does; it throws CronError naming the field at fault. */
export function parseCron(expr: string): CronSpec {
  const text = expr.trim();
  if (text.startsWith("@every ")) {
    const d = text.slice(7).trim();
    const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/gy;
    let ms = 0;
    let m: RegExpExecArray | null;
    let seen = 0;
    while ((m = re.exec(d))) {
      ms += Number(m[1]) * units[m[2]];
      seen = re.lastIndex;
    }
    if (!d || seen !== d.length) throw new CronError(`"@every ${d}": the interval must be a duration like 90m or 1h30m`);
    if (ms < 1000) throw new CronError(`"@every ${d}": the interval must be at least one second`);
    return { kind: "every", ms };
  }
  if (text.startsWith("@")) {
    const d = descriptors[text];
    if (!d) throw new CronError(`unknown descriptor ${text}: use @hourly, @daily, @weekly, @monthly, @yearly or @every 1h`);
    return parseCron(d);
  }
  const parts = text.split(/\s+/).filter(Boolean);
  if (parts.length !== 5) throw new CronError(`want five fields (minute hour day-of-month month day-of-week) like "0 3 * * *", or @daily; got ${parts.length}`);
  const [minute, hour, dom, month, dow] = parts.map((p, i) => parseField(p, fields[i]));
  // Sunday may be written 7 in some crons; the API refuses it, and so do we (range 0–6).
  return { kind: "fields", minute, hour, dom, month, dow, domStar: isStar(parts[2]), dowStar: isStar(parts[4]), source: parts };
}

/** cronError is the reason expr would be refused, or "" when it is valid. Empty means "manual only" and is valid. */
export function cronError(expr: string): string {
  if (!expr.trim()) return "";
  try {
    parseCron(expr);
    return "";
  } catch (e) {
    return e instanceof CronError ? `"${expr.trim()}" is not a valid schedule: ${e.message}.` : String(e);
  }
}

/** nextRuns returns the next n times (UTC, as the API schedules) after from. */
export function nextRuns(expr: string, from: Date, n = 1): Date[] {
  const spec = parseCron(expr);
  const out: Date[] = [];
  if (spec.kind === "every") {
    let t = from.getTime();
    for (let i = 0; i < n; i++) out.push(new Date((t += spec.ms)));
    return out;
  }
  const t = new Date(from.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  // Five years of minutes bounds a search for "30 2 31 2 *" (never).
  const limit = from.getTime() + 5 * 366 * 86_400_000;
  while (out.length < n && t.getTime() <= limit) {
    if (!spec.month.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0);
      continue;
    }
    const domOk = spec.dom.has(t.getUTCDate());
    const dowOk = spec.dow.has(t.getUTCDay());
    // As robfig/cron: when both day fields are restricted, either may match.
    const dayOk = spec.domStar || spec.dowStar ? domOk && dowOk : domOk || dowOk;
    if (!dayOk) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0);
      continue;
    }
    if (!spec.hour.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0);
      continue;
    }
    if (!spec.minute.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1);
      continue;
    }
    out.push(new Date(t.getTime()));
    t.setUTCMinutes(t.getUTCMinutes() + 1);
  }
  return out;
}

const monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function list(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

const pad = (n: number) => String(n).padStart(2, "0");

function durationText(ms: number): string {
  const parts: string[] = [];
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  if (h) parts.push(`${h} hour${h === 1 ? "" : "s"}`);
  if (m) parts.push(`${m} minute${m === 1 ? "" : "s"}`);
  if (s) parts.push(`${s} second${s === 1 ? "" : "s"}`);
  return list(parts);
}

/** everyN reports the step when a field is "*\/n" (or "*" as step 1). */
function everyN(src: string): number | undefined {
  if (src === "*" || src === "?") return 1;
  const m = /^[*?]\/(\d+)$/.exec(src);
  return m ? Number(m[1]) : undefined;
}

function timesText(spec: Extract<CronSpec, { kind: "fields" }>): string {
  const [minSrc, hourSrc] = spec.source;
  const minStep = everyN(minSrc);
  const hourStep = everyN(hourSrc);
  if (minStep === 1 && hourStep === 1) return "every minute";
  if (minStep && hourStep === 1) return `every ${minStep} minutes`;
  const mins = [...spec.minute];
  const hours = [...spec.hour];
  if (hourStep === 1) return mins.length === 1 ? `at minute ${mins[0]} past every hour` : `at minutes ${list(mins.map(String))} past every hour`;
  if (minStep) return `every ${minStep === 1 ? "minute" : `${minStep} minutes`} during hour${hours.length === 1 ? "" : "s"} ${list(hours.map((h) => `${pad(h)}:00`))}`;
  if (hourStep && mins.length === 1) return `every ${hourStep} hours at minute ${mins[0]}`;
  const times = hours.flatMap((h) => mins.map((m) => `${pad(h)}:${pad(m)}`));
  return times.length <= 6 ? `at ${list(times)}` : `at ${times.length} times a day`;
}

function daysText(spec: Extract<CronSpec, { kind: "fields" }>): string {
  const parts: string[] = [];
  const monSrc = spec.source[3];
  const dows = [...spec.dow];
  const doms = [...spec.dom];
  const dowText = dows.length === 5 && [1, 2, 3, 4, 5].every((d) => spec.dow.has(d)) ? "on weekdays" : dows.length === 2 && spec.dow.has(0) && spec.dow.has(6) ? "on weekends" : `on ${list(dows.map((d) => dayNames[d]))}`;
  const domText = `on day ${list(doms.map(String))} of the month`;
  if (!spec.domStar && !spec.dowStar) parts.push(`${domText} or ${dowText.replace(/^on /, "on any ")}`);
  else if (!spec.domStar) parts.push(domText);
  else if (!spec.dowStar) parts.push(dowText);
  else parts.push("every day");
  if (!/^[*?]$/.test(monSrc)) parts.push(`in ${list([...spec.month].map((m) => monthNames[m - 1]))}`);
  return parts.join(" ");
}

/** describeCron reads an expression in plain English, saying that times are UTC; invalid expressions give "". */
export function describeCron(expr: string): string {
  let spec: CronSpec;
  try {
    spec = parseCron(expr);
  } catch {
    return "";
  }
  if (spec.kind === "every") return `Every ${durationText(spec.ms)}, counted from when the schedule was saved`;
  const times = timesText(spec);
  const days = daysText(spec);
  const text = days === "every day" && times.startsWith("every") ? times : `${times}, ${days}`;
  return `${text[0].toUpperCase()}${text.slice(1)} (UTC)`;
}

/** localZone names the viewer's time zone (e.g. Europe/Paris), or "local time". */
export function localZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
  } catch {
    return "local time";
  }
}
