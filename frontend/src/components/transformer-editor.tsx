"use client";

import { fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { useMutation } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { TransformersService, type SystemTransformer, type UserDefinedTransformer } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { checkParams, configFromDraft, draftFromConfig, type ParamDraft } from "@/lib/transformer-params";
import { parseJsError, type JsError } from "./code-editor";
import { ParamForm } from "./param-form";
import { Button, ErrorBox, Field, Table, Td, inputClass, revealFirstError } from "./ui";

/** sampleValues reads the sample box: one value per line; JSON (42, true, null, "x") is parsed, anything else is text. */
export function sampleValues(text: string): JsonValue[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      try {
        return JSON.parse(l) as JsonValue;
      } catch {
        return l;
      }
    });
}

/** starterCode is what a new JavaScript transformer starts with. */
export const starterCode = "// value is the column's value, input the whole row.\nreturn value;";

/** regexParam is the parameter that holds a user's regular expression (character scramble). */
const regexParam = "user_provided_regex";

/** namePattern is what the API accepts as a transformer name. */
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * TransformerEditor creates or edits a user-defined transformer: the system
 * transformer it configures (fixed when editing), a typed form of its
 * parameters — a code editor for JavaScript, checked with
 * ValidateUserJavascriptCode so syntax errors show their line and column —
 * (a regular expression is checked with ValidateUserRegexCode the same way),
 * and a live preview (PreviewTransformer) on sample values that reruns as
 * the configuration changes.
 */
export function TransformerEditor({
  accountId,
  transformers,
  editing,
  onDone,
}: {
  accountId: string;
  transformers: SystemTransformer[];
  editing?: UserDefinedTransformer;
  onDone: () => void;
}) {
  const qc = useQueryClient();
  const [source, setSource] = useState(editing?.source ?? "transform_email");
  const t = transformers.find((x) => x.source === source);
  const [draft, setDraft] = useState<ParamDraft>(() => draftFromConfig(t, editing?.config));
  const [name, setName] = useState(editing?.name ?? "");
  const [description, setDescription] = useState(editing?.description ?? "");
  const [samples, setSamples] = useState("alice@example.com\nbob@corp.example");
  const [nameError, setNameError] = useState("");
  const [jsError, setJsError] = useState<JsError | null>(null);
  const [jsOk, setJsOk] = useState(false);
  const [regexError, setRegexError] = useState("");
  const isJs = !!t?.parameters.some((p) => p.name === "code");
  const paramErrors = checkParams(t, draft);
  const valid = Object.keys(paramErrors).length === 0;
  const config = configFromDraft(t, draft);
  const configKey = JSON.stringify(config);

  const preview = useMutation(TransformersService.method.previewTransformer);
  // The preview shown is the one made for the configuration and samples on screen; an older one is never shown beside newer input.
  const [previewFor, setPreviewFor] = useState("");
  const form = useRef<HTMLDivElement>(null);
  const validateJs = useMutation(TransformersService.method.validateUserJavascriptCode);
  const validateRegex = useMutation(TransformersService.method.validateUserRegexCode);
  const hasRegex = !!t?.parameters.some((p) => p.name === regexParam);
  const done = { onSuccess: async () => { await qc.invalidateQueries(); onDone(); } };
  const create = useMutation(TransformersService.method.createUserDefinedTransformer, done);
  const update = useMutation(TransformersService.method.updateUserDefinedTransformer, done);

  // When the transformer changes, start from its defaults (and starter code for JavaScript).
  const pick = (s: string) => {
    setSource(s);
    const nt = transformers.find((x) => x.source === s);
    setDraft(nt?.parameters.some((p) => p.name === "code") ? { code: starterCode } : {});
    setRegexError("");
    setJsError(null);
    setJsOk(false);
    preview.reset();
  };

  const checkCode = async (): Promise<boolean> => {
    if (!isJs) return true;
    const res = await validateJs.mutateAsync({ accountId, code: String(draft.code ?? "") }).catch(() => undefined);
    if (!res) return false;
    setJsError(res.valid ? null : parseJsError(res.error ?? "invalid code"));
    setJsOk(res.valid);
    return res.valid;
  };
  // checkRegex compiles a user regular expression (RE2) on the server, for
  // the transformers that take one, and shows its error under the field.
  const checkRegex = async (): Promise<boolean> => {
    const re = String(draft[regexParam] ?? "");
    if (!hasRegex || !re) return true;
    const res = await validateRegex.mutateAsync({ accountId, userProvidedRegex: re }).catch(() => undefined);
    if (!res) return false;
    setRegexError(res.valid ? "" : (res.error ?? "invalid regular expression"));
    return res.valid;
  };
  const previewKey = `${source}\n${configKey}\n${samples}`;
  const runPreview = () => {
    if (!valid) return;
    const key = previewKey;
    preview.mutate({ accountId, source, config, sampleValues: sampleValues(samples).map((v) => fromJson(ValueSchema, v)) }, { onSuccess: () => setPreviewFor(key) });
  };
  const shownPreview = !jsError && previewFor === previewKey ? preview.data : undefined;

  // Live preview: rerun shortly after the configuration or samples change,
  // unless the form has errors or the code is known not to compile.
  useEffect(() => {
    if (!valid || jsError) return;
    const h = setTimeout(runPreview, 600);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source, configKey, samples, valid, jsError]);

  const save = async () => {
    setNameError("");
    const invalid = () => form.current && revealFirstError(form.current);
    if (!namePattern.test(name)) {
      setNameError("Letters, digits, '.', '_' and '-', starting with a letter or digit.");
      return invalid();
    }
    if (!valid) return invalid();
    if (!(await checkCode()) || !(await checkRegex())) return invalid();
    if (editing) update.mutate({ transformerId: editing.id, name, description, config });
    else create.mutate({ accountId, name, description, source, config });
  };

  const inputs = sampleValues(samples);
  return (
    <div ref={form} className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <div className="min-w-0 space-y-4">
        <Field label="System transformer" htmlFor="t-source" hint={editing ? "A saved transformer keeps the system transformer it was made from." : t?.description}>
          <select id="t-source" className={inputClass} value={source} onChange={(e) => pick(e.target.value)} disabled={!!editing}>
            {transformers.map((x) => (
              <option key={x.source} value={x.source}>
                {x.name} ({x.source})
              </option>
            ))}
          </select>
        </Field>
        {t && (
          <fieldset className="rounded-md border border-slate-200 p-3">
            <legend className="px-1 text-sm font-medium text-slate-800">Parameters</legend>
            <ParamForm
              transformer={t}
              value={draft}
              onChange={(d) => {
                setDraft(d);
                if (d[regexParam] !== draft[regexParam]) setRegexError("");
                if (d.code !== draft.code) {
                  setJsError(null);
                  setJsOk(false);
                }
              }}
              errors={{
                ...paramErrors,
                ...(regexError ? { [regexParam]: regexError } : {}),
                ...(jsError ? { code: jsError.line ? `Line ${jsError.line}, column ${jsError.column}: ${jsError.message}` : jsError.message } : {}),
              }}
              idPrefix="t-param"
              codeErrorLine={jsError?.line || undefined}
              bindings={transformers}
            />
            {hasRegex && (
              <div className="mt-3 flex flex-wrap items-center gap-3">
                <Button onClick={checkRegex} busy={validateRegex.isPending} disabled={!draft[regexParam]}>
                  Check expression
                </Button>
                {validateRegex.data?.valid && !regexError && (
                  <span role="status" className="text-sm text-emerald-700">
                    The expression compiles.
                  </span>
                )}
                <ErrorBox error={validateRegex.error} title="Could not check the expression" />
              </div>
            )}
            {isJs && (
              <div className="mt-3 flex flex-wrap items-center gap-3">
                <Button onClick={checkCode} busy={validateJs.isPending}>
                  Check code
                </Button>
                {jsOk && (
                  <span role="status" className="text-sm text-emerald-700">
                    The code compiles.
                  </span>
                )}
                <ErrorBox error={validateJs.error} title="Could not check the code" />
              </div>
            )}
          </fieldset>
        )}
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="Name" htmlFor="t-name" error={nameError}>
            <input id="t-name" className={inputClass} value={name} onChange={(e) => setName(e.target.value)} placeholder="hashed-emails" autoComplete="off" aria-invalid={!!nameError || undefined} />
          </Field>
          <Field label="Description (optional)" htmlFor="t-desc">
            <input id="t-desc" className={inputClass} value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" />
          </Field>
        </div>
        <ErrorBox error={create.error ?? update.error} title="Could not save the transformer" />
        <div className="flex flex-wrap justify-end gap-2">
          {editing && <Button onClick={onDone}>Cancel</Button>}
          <Button variant="primary" onClick={save} busy={create.isPending || update.isPending || validateJs.isPending}>
            {editing ? "Save changes" : "Save transformer"}
          </Button>
        </div>
      </div>
      <div className="min-w-0 space-y-3">
        <Field label="Sample values, one per line" htmlFor="t-samples" hint="42, true and null are read as JSON; anything else is text. Generators ignore them.">
          <textarea id="t-samples" rows={3} className={inputClass + " font-mono"} value={samples} onChange={(e) => setSamples(e.target.value)} spellCheck={false} />
        </Field>
        <div className="flex items-center justify-between">
          <p className="text-sm font-medium text-slate-800">Live preview</p>
          <Button className="px-2 py-1" onClick={runPreview} busy={preview.isPending} disabled={!valid}>
            Preview
          </Button>
        </div>
        <ErrorBox error={preview.error} title="Preview failed" />
        {shownPreview ? (
          <Table head={["Input", "Output"]}>
            {(inputs.length ? inputs : [null]).map((s, i) => (
              <tr key={i}>
                <Td className="font-mono text-xs">{s === null ? "—" : JSON.stringify(s)}</Td>
                <Td className="font-mono text-xs">
                  <span data-testid="preview-output">{shownPreview.errors[i] ? <span className="text-red-700">{shownPreview.errors[i]}</span> : shownPreview.outputs[i] ? JSON.stringify(toJson(ValueSchema, shownPreview.outputs[i])) : "—"}</span>
                </Td>
              </tr>
            ))}
          </Table>
        ) : (
          <p className="rounded-md border border-dashed border-slate-300 p-4 text-sm text-slate-500">{jsError ? "Fix the code to see a preview." : !valid ? "Fix the parameters to see a preview." : preview.isPending || preview.data ? "Updating the preview…" : "The preview appears here as you type."}</p>
        )}
      </div>
    </div>
  );
}
