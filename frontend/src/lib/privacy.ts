import type { MessageInitShape } from "@bufbuild/protobuf";
import { ConsistentPrf, type LeakPolicy, type LeakPolicySchema, type SyncSourceOptions } from "@/gen/mgmt/v1alpha1/job_pb";

// A sync job's privacy settings: the consistent-mode PRF version and the
// leak policy's thresholds. The thresholds are fractions in the API and
// percentages in the form (1 rather than 0.01); an empty input keeps the
// default.

/** LeakField names one threshold of LeakPolicy. */
export type LeakField = "warnRate" | "failRate" | "reidentifiedFailRate";

/** leakFields lists the thresholds: field, label, default (in %), what it decides, and its API name. */
export const leakFields: readonly (readonly [LeakField, string, number, string, string])[] = [
  ["warnRate", "Warn rate (%)", 1, "A transformed column with a larger share of rows holding a source value is WARN, even when its transformer's domain makes that share expected.", "warn_rate"],
  ["failRate", "Fail rate (%)", 5, "A share beyond what chance explains and above this is FAIL. A row keeping its own email or identifier is FAIL at any rate.", "fail_rate"],
  ["reidentifiedFailRate", "Re-identification fail rate (%)", 0.1, "A table whose rows keep all their small-domain columns (names, cities, ZIP codes) beyond chance, in a larger share, is FAIL.", "reidentified_fail_rate"],
];

/** PrfChoice is the consistent-mode PRF version as the form holds it. */
export type PrfChoice = "v1" | "v2";

/** PrivacyDraft holds the privacy inputs as typed; an empty rate means the default. */
export type PrivacyDraft = { prf: PrfChoice } & Record<LeakField, string>;

/** PrivacyErrors holds one message per invalid input. */
export type PrivacyErrors = Partial<Record<LeakField | "prf", string>>;

/** prfLabel describes each version for people. */
export const prfLabel: Record<PrfChoice, string> = {
  v2: "v2 — AES-CMAC under HKDF-SHA-256 sub-keys of the job key (recommended)",
  v1: "v1 — AES over an unkeyed FNV-128a hash (legacy: jobs saved before versions)",
};

/** migrationNote says what switching the PRF version does to a job that has written its destinations. */
export const migrationNote =
  "Switching the PRF version changes every consistent output — transformed values, remapped keys and transform_hash digests — so rows already in the destinations no longer match or join rows written after the switch. Re-copy every table on the next run (truncate before insert).";

/** percentOf renders a fraction as a percentage without floating-point noise ("" for unset or 0: the default). */
export function percentOf(fraction: number | undefined): string {
  if (!fraction) return "";
  return String(Number((fraction * 100).toPrecision(12)));
}

/** privacyDraftOf reads a sync source's settings into form state (a new job: v2 and the defaults). */
export function privacyDraftOf(sync?: SyncSourceOptions): PrivacyDraft {
  const p: LeakPolicy | undefined = sync?.leakPolicy;
  return {
    prf: sync?.consistentPrf === ConsistentPrf.V1 ? "v1" : "v2",
    warnRate: percentOf(p?.warnRate),
    failRate: percentOf(p?.failRate),
    reidentifiedFailRate: percentOf(p?.reidentifiedFailRate),
  };
}

/** checkPrivacy returns an error per rate that is neither empty nor a percentage above 0 and at most 100. */
export function checkPrivacy(d: PrivacyDraft): PrivacyErrors {
  const out: PrivacyErrors = {};
  for (const [k] of leakFields) {
    const v = d[k].trim().replace(/%$/, "").trim();
    if (!v) continue;
    const n = Number(v);
    if (!/^\d*\.?\d+$/.test(v) || !Number.isFinite(n) || n <= 0 || n > 100) out[k] = "A percentage above 0 and at most 100, or empty for the default.";
  }
  return out;
}

/** leakPolicyOf builds the API's LeakPolicy from a draft checkPrivacy accepted: fractions for the rates set, nothing for the defaults. */
export function leakPolicyOf(d: PrivacyDraft): MessageInitShape<typeof LeakPolicySchema> {
  const out: MessageInitShape<typeof LeakPolicySchema> = {};
  for (const [k] of leakFields) {
    const v = d[k].trim().replace(/%$/, "").trim();
    if (v) out[k] = Number((Number(v) / 100).toPrecision(12));
  }
  return out;
}

/** prfOf is the API's version for a choice. */
export function prfOf(c: PrfChoice): ConsistentPrf {
  return c === "v1" ? ConsistentPrf.V1 : ConsistentPrf.V2;
}

/** serverFieldErrors places an API error that names a threshold (source.sync.leak_policy: … warn_rate …) at that input. */
export function serverFieldErrors(message: string): PrivacyErrors {
  const out: PrivacyErrors = {};
  if (message.includes("consistent_prf")) out.prf = message;
  for (const [k, , , , api] of leakFields) {
    if (new RegExp(`(^|[^a-z_])${api}\\b`).test(message)) out[k] = message;
  }
  return out;
}

/** clearChanged drops the errors of the inputs that changed between two drafts, keeping the others in place. */
export function clearChanged(errors: PrivacyErrors, before: PrivacyDraft, after: PrivacyDraft): PrivacyErrors {
  const out: PrivacyErrors = { ...errors };
  for (const k of ["prf", ...leakFields.map(([f]) => f)] as const) {
    if (before[k] !== after[k]) delete out[k];
  }
  return out;
}
