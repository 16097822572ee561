"use client";

import { leakFields, migrationNote, prfLabel, type PrfChoice, type PrivacyDraft, type PrivacyErrors } from "@/lib/privacy";
import { Field, inputClass } from "./ui";

/**
 * PrivacyFields edits a sync job's privacy settings: the consistent-mode PRF
 * version and the leak policy's thresholds (percentages; empty keeps the
 * default). saved is the job's current version when it has one: choosing
 * another shows what the switch does to the destinations. Errors appear
 * under their input.
 */
export function PrivacyFields({ value, onChange, errors = {}, saved, idPrefix }: { value: PrivacyDraft; onChange: (d: PrivacyDraft) => void; errors?: PrivacyErrors; saved?: PrfChoice; idPrefix: string }) {
  const switching = saved !== undefined && value.prf !== saved;
  return (
    <div className="space-y-4">
      <Field label="Consistent-mode PRF" htmlFor={`${idPrefix}-prf`} error={errors.prf} hint="How consistent mode derives values, remapped keys and transform_hash digests from the job key.">
        <select id={`${idPrefix}-prf`} className={inputClass} value={value.prf} onChange={(e) => onChange({ ...value, prf: e.target.value as PrfChoice })} aria-invalid={!!errors.prf || undefined}>
          {(["v2", "v1"] as const).map((v) => (
            <option key={v} value={v}>
              {prfLabel[v]}
            </option>
          ))}
        </select>
      </Field>
      {switching && (
        <p role="note" aria-label="PRF migration note" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
          {migrationNote}
        </p>
      )}
      {saved === undefined && value.prf === "v1" && (
        <p role="note" className="text-xs text-amber-800">v1 only makes sense to reproduce the outputs of a job saved before versions existed; v2 is keyed end to end.</p>
      )}
      <fieldset>
        <legend className="mb-2 text-sm font-medium text-slate-800">Leak policy</legend>
        <p className="mb-3 text-xs text-slate-500">The verification report judges each transformed column against its transformer&apos;s expected leak level: OK, WARN or FAIL. Empty keeps the default.</p>
        <div className="grid gap-4 sm:grid-cols-3">
          {leakFields.map(([k, label, def, hint]) => (
            <Field key={k} label={label} htmlFor={`${idPrefix}-${k}`} error={errors[k]} hint={`${hint} Default ${def} %.`}>
              <input
                id={`${idPrefix}-${k}`}
                inputMode="decimal"
                className={inputClass}
                value={value[k]}
                placeholder={`${def}`}
                onChange={(e) => onChange({ ...value, [k]: e.target.value })}
                aria-invalid={!!errors[k] || undefined}
                aria-describedby={errors[k] ? `${idPrefix}-${k}-error` : undefined}
                autoComplete="off"
              />
            </Field>
          ))}
        </div>
      </fieldset>
    </div>
  );
}
