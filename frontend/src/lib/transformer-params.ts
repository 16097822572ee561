import { toJson, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import type { SystemTransformer, TransformerParameter } from "@/gen/mgmt/v1alpha1/transformer_pb";

// A transformer's configuration is edited as a *draft*: what the inputs hold,
// text for numbers, strings and lists (so "1e" can be shown as an error
// instead of being lost), booleans for checkboxes. An empty or missing entry
// means "use the system default", and is left out of the config sent to the
// API so the server applies the default itself.

/** ParamDraft holds the form state of one transformer's parameters, by parameter name. */
export type ParamDraft = Record<string, string | boolean | undefined>;

/** ParamErrors holds one message per invalid parameter, by parameter name. */
export type ParamErrors = Record<string, string>;

/** defaultJson returns a parameter's default as plain JSON, or undefined when it has none. */
export function defaultJson(p: TransformerParameter): JsonValue | undefined {
  if (!p.defaultValue || p.defaultValue.kind.case === undefined || p.defaultValue.kind.case === "nullValue") return undefined;
  return toJson(ValueSchema, p.defaultValue);
}

/** defaultText renders a parameter's default the way its input would show it. */
export function defaultText(p: TransformerParameter): string {
  const d = defaultJson(p);
  if (d === undefined) return "";
  if (Array.isArray(d)) return d.join(", ");
  return String(d);
}

/** splitList reads a string_list input: one item per comma or line, trimmed, empties dropped. */
export function splitList(s: string): string[] {
  return s
    .split(/[,\n]/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** draftFromConfig turns a saved config back into form state. */
export function draftFromConfig(t: SystemTransformer | undefined, config: JsonObject | undefined): ParamDraft {
  const d: ParamDraft = {};
  if (!t || !config) return d;
  for (const p of t.parameters) {
    const v = config[p.name];
    if (v === undefined || v === null) continue;
    if (p.type === "bool") d[p.name] = v === true;
    else if (Array.isArray(v)) d[p.name] = v.join(", ");
    else d[p.name] = String(v);
  }
  return d;
}

function isSet(v: string | boolean | undefined): boolean {
  return typeof v === "boolean" || (typeof v === "string" && v.trim() !== "");
}

/** checkParam validates one draft value against its declaration; "" means valid. */
export function checkParam(p: TransformerParameter, v: string | boolean | undefined): string {
  if (!isSet(v)) return p.required ? "Required." : "";
  if (p.type === "bool" || typeof v === "boolean") return "";
  const s = (v as string).trim();
  if (p.type === "int" || p.type === "float") {
    const n = Number(s);
    if (!Number.isFinite(n)) return "Enter a number.";
    if (p.type === "int" && !Number.isInteger(n)) return "Enter a whole number.";
    if (p.min !== undefined && n < p.min) return `Must be at least ${p.min}.`;
    if (p.max !== undefined && n > p.max) return `Must be at most ${p.max}.`;
    return "";
  }
  if (p.type === "string_list") {
    const items = splitList(s);
    const bad = p.allowedValues.length ? items.filter((i) => !p.allowedValues.includes(i)) : [];
    if (bad.length) return `Not allowed: ${bad.join(", ")}. Choose from ${p.allowedValues.join(", ")}.`;
    return "";
  }
  if (p.allowedValues.length && !p.allowedValues.includes(s)) return `Choose one of ${p.allowedValues.join(", ")}.`;
  return "";
}

/**
 * Applies says whether a parameter has an effect under a draft: "yes";
 * "no" when the parameter its applies_when names is set to another value
 * (transform_hash's algorithm in mode hmac); "maybe" when that parameter is
 * left to a default that depends on the job (transform_hash's mode).
 */
export type Applies = "yes" | "no" | "maybe";

/** paramApplies tells whether p applies under draft (see Applies). */
export function paramApplies(t: SystemTransformer | undefined, p: TransformerParameter, draft: ParamDraft): Applies {
  const c = p.appliesWhen;
  if (!c) return "yes";
  const set = draft[c.parameter];
  let v = isSet(set) ? String(set).trim() : "";
  if (!v) {
    const ctl = t?.parameters.find((q) => q.name === c.parameter);
    v = ctl ? defaultText(ctl) : "";
    if (!v) return "maybe";
  }
  return c.values.includes(v) ? "yes" : "no";
}

/** conditionText words a parameter's applies_when, e.g. "only when mode is salted" ("" when it has none). */
export function conditionText(p: TransformerParameter): string {
  const c = p.appliesWhen;
  return c ? `only when ${c.parameter} is ${c.values.join(" or ")}` : "";
}

/** checkParams validates a whole draft; the result is empty when every parameter is valid. Parameters that do not apply are not checked. */
export function checkParams(t: SystemTransformer | undefined, draft: ParamDraft): ParamErrors {
  const errs: ParamErrors = {};
  for (const p of t?.parameters ?? []) {
    if (paramApplies(t, p, draft) === "no") continue;
    const e = checkParam(p, draft[p.name]);
    if (e) errs[p.name] = e;
  }
  return errs;
}

/**
 * configFromDraft builds the config object sent to the API: typed values for
 * the parameters the user set, nothing for the ones left to their default
 * or that do not apply (a value typed before switching the parameter they
 * depend on). Call it on a draft that checkParams accepted.
 */
export function configFromDraft(t: SystemTransformer | undefined, draft: ParamDraft): JsonObject {
  const out: JsonObject = {};
  for (const p of t?.parameters ?? []) {
    const v = draft[p.name];
    if (!isSet(v) || paramApplies(t, p, draft) === "no") continue;
    if (p.type === "bool") out[p.name] = v === true;
    else if (p.type === "int" || p.type === "float") out[p.name] = Number((v as string).trim());
    else if (p.type === "string_list") out[p.name] = splitList(v as string);
    else out[p.name] = p.name === "code" ? (v as string) : (v as string).trim();
  }
  return out;
}

/** summarizeDraft renders the parameters the user set as "a=1, b=x", for a collapsed row. */
export function summarizeDraft(t: SystemTransformer | undefined, draft: ParamDraft): string {
  return (t?.parameters ?? [])
    .filter((p) => isSet(draft[p.name]) && p.name !== "code" && paramApplies(t, p, draft) !== "no")
    .map((p) => `${p.name}=${String(draft[p.name])}`)
    .join(", ");
}
