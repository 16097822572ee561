"use client";

import type { SystemTransformer, TransformerParameter } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { conditionText, defaultJson, defaultText, paramApplies, type ParamDraft, type ParamErrors } from "@/lib/transformer-params";
import { CodeEditor, type Binding } from "./code-editor";
import { cx, inputClass } from "./ui";

function bounds(p: TransformerParameter): string {
  if (p.min !== undefined && p.max !== undefined) return `${p.min} to ${p.max}`;
  if (p.min !== undefined) return `at least ${p.min}`;
  if (p.max !== undefined) return `at most ${p.max}`;
  return "";
}

function hint(p: TransformerParameter): string {
  const parts = [p.description];
  const b = bounds(p);
  if (b) parts.push(b);
  if (p.type === "string_list") parts.push(p.allowedValues.length ? `comma-separated, from ${p.allowedValues.join(", ")}` : "comma-separated");
  const d = defaultText(p);
  if (d && p.type !== "bool" && p.name !== "code") parts.push(`default ${d}`);
  return parts.filter(Boolean).join(" · ");
}

/**
 * ParamForm renders one input per parameter of a system transformer, typed
 * by its declaration: a checkbox for bool, a number field with bounds for
 * int and float, a select for strings with allowed values, a code editor for
 * JavaScript code, and a text field otherwise. Empty fields keep the system
 * default. errors (from checkParams or the API) appear under their input.
 * A parameter that applies only under another's values (applies_when) is
 * hidden while that one is set otherwise, and labelled with its condition
 * while that one is left to a default that depends on the job.
 */
export function ParamForm({
  transformer,
  value,
  onChange,
  errors = {},
  idPrefix,
  codeErrorLine,
  bindings,
}: {
  transformer: SystemTransformer;
  value: ParamDraft;
  onChange: (draft: ParamDraft) => void;
  errors?: ParamErrors;
  idPrefix: string;
  codeErrorLine?: number;
  /** bindings are the system transformers code may call as neosync.*, for completion. */
  bindings?: Binding[];
}) {
  if (transformer.parameters.length === 0) return <p className="text-xs text-slate-500">{transformer.name} has no parameters.</p>;
  const set = (name: string, v: string | boolean | undefined) => onChange({ ...value, [name]: v });
  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
      {transformer.parameters.map((p) => {
        const applies = paramApplies(transformer, p, value);
        if (applies === "no") return null;
        const id = `${idPrefix}-${p.name}`;
        const err = errors[p.name];
        const describedBy = `${id}-help`;
        const v = value[p.name];
        const label = (
          <span className="font-mono">
            {p.name}
            {p.required && <span className="ml-1 font-sans text-xs text-red-700">required</span>}
            {applies === "maybe" && <span className="font-sans text-xs text-slate-500"> ({conditionText(p)})</span>}
          </span>
        );
        const help = (
          <p id={describedBy} className={cx("mt-1 text-xs", err ? "text-red-700" : "text-slate-500")} role={err ? "alert" : undefined}>
            {err || hint(p)}
          </p>
        );
        if (p.type === "bool") {
          const def = defaultJson(p) === true;
          return (
            <div key={p.name} className="sm:col-span-1">
              <label htmlFor={id} className="flex items-center gap-2 text-sm text-slate-800">
                <input id={id} type="checkbox" checked={typeof v === "boolean" ? v : def} onChange={(e) => set(p.name, e.target.checked)} aria-describedby={describedBy} />
                {label}
              </label>
              {help}
            </div>
          );
        }
        let input;
        if (p.name === "code") {
          input = <CodeEditor id={id} value={typeof v === "string" ? v : ""} onChange={(c) => set(p.name, c)} describedBy={describedBy} errorLine={codeErrorLine} bindings={bindings} label={p.name} />;
        } else if (p.type === "string" && p.allowedValues.length > 0) {
          input = (
            <select id={id} className={inputClass} value={typeof v === "string" ? v : ""} onChange={(e) => set(p.name, e.target.value)} aria-invalid={!!err || undefined} aria-describedby={describedBy}>
              <option value="">{defaultText(p) ? `Default (${defaultText(p)})` : "Not set"}</option>
              {p.allowedValues.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          );
        } else {
          input = (
            <input
              id={id}
              className={cx(inputClass, "font-mono")}
              inputMode={p.type === "int" ? "numeric" : p.type === "float" ? "decimal" : undefined}
              value={typeof v === "string" ? v : ""}
              placeholder={defaultText(p)}
              onChange={(e) => set(p.name, e.target.value)}
              aria-invalid={!!err || undefined}
              aria-describedby={describedBy}
              autoComplete="off"
              spellCheck={false}
            />
          );
        }
        return (
          <div key={p.name} className={p.name === "code" || p.type === "string_list" ? "sm:col-span-2" : undefined}>
            <label htmlFor={id} className="mb-1 block text-sm text-slate-800">
              {label}
            </label>
            {input}
            {help}
          </div>
        );
      })}
    </div>
  );
}
