"use client";

import { fromJson, toJson, type JsonObject } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { TransformersService, type SystemTransformer } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { useAccount } from "@/lib/account";
import { formatTime } from "@/lib/format";
import { Badge, Button, Card, EmptyState, ErrorBox, Field, Loading, PageHeader, Table, Td, inputClass } from "@/components/ui";

function params(t: SystemTransformer) {
  if (t.parameters.length === 0) return <span className="text-slate-400">none</span>;
  return (
    <ul className="space-y-1">
      {t.parameters.map((p) => (
        <li key={p.name} className="text-xs">
          <span className="font-mono text-slate-900">{p.name}</span> <span className="text-slate-500">{p.type}</span>
          {p.required && <> <Badge tone="red">required</Badge></>}
          {p.defaultValue && <span className="text-slate-500"> · default <span className="font-mono">{JSON.stringify(toJson(ValueSchema, p.defaultValue))}</span></span>}
          {(p.min !== undefined || p.max !== undefined) && <span className="text-slate-500"> · {p.min ?? "−∞"}…{p.max ?? "∞"}</span>}
          {p.allowedValues.length > 0 && <span className="text-slate-500"> · one of {p.allowedValues.join(", ")}</span>}
        </li>
      ))}
    </ul>
  );
}

export default function TransformersPage() {
  const { account } = useAccount();
  const qc = useQueryClient();
  const sys = useQuery(TransformersService.method.getSystemTransformers, {}, { staleTime: Infinity });
  const user = useQuery(TransformersService.method.getUserDefinedTransformers, { accountId: account?.id }, { enabled: !!account });
  const [filter, setFilter] = useState("");
  const [name, setName] = useState("");
  const [source, setSource] = useState("transform_email");
  const [config, setConfig] = useState("{}");
  const [samples, setSamples] = useState("alice@example.com\nbob@corp.example");
  const [configError, setConfigError] = useState("");
  const preview = useMutation(TransformersService.method.previewTransformer);
  const createT = useMutation(TransformersService.method.createUserDefinedTransformer, { onSuccess: () => { setName(""); qc.invalidateQueries(); } });

  const parseConfig = (): JsonObject | undefined => {
    try {
      const v = JSON.parse(config || "{}");
      if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("must be a JSON object");
      setConfigError("");
      return v;
    } catch (e) {
      setConfigError(`Configuration ${e instanceof Error ? e.message : "is invalid"}`);
    }
  };
  const runPreview = () => {
    const c = parseConfig();
    if (!c || !account) return;
    preview.mutate({ accountId: account.id, source, config: c, sampleValues: samples.split("\n").filter(Boolean).map((s) => fromJson(ValueSchema, s)) });
  };

  const all = sys.data?.transformers ?? [];
  const shown = all.filter((t) => !filter || `${t.source} ${t.name} ${t.description}`.toLowerCase().includes(filter.toLowerCase()));
  const inputs = samples.split("\n").filter(Boolean);
  return (
    <>
      <PageHeader title="Transformers" description="How a column's values are replaced. Save a configured system transformer under your own name to reuse it across jobs." />
      <div className="space-y-6">
        <Card title="Try a transformer and save it">
          <div className="grid gap-4 lg:grid-cols-2">
            <div className="space-y-3">
              <Field label="System transformer" htmlFor="t-source">
                <select id="t-source" className={inputClass} value={source} onChange={(e) => { setSource(e.target.value); preview.reset(); }}>
                  {all.map((t) => <option key={t.source} value={t.source}>{t.name} ({t.source})</option>)}
                </select>
              </Field>
              <Field label="Configuration (JSON)" htmlFor="t-config" error={configError}>
                <textarea id="t-config" rows={3} className={inputClass + " font-mono"} value={config} onChange={(e) => setConfig(e.target.value)} spellCheck={false} />
              </Field>
              <Field label="Sample values, one per line" htmlFor="t-samples">
                <textarea id="t-samples" rows={3} className={inputClass + " font-mono"} value={samples} onChange={(e) => setSamples(e.target.value)} spellCheck={false} />
              </Field>
              <div className="flex flex-wrap items-end gap-2">
                <Button onClick={runPreview} busy={preview.isPending}>Preview</Button>
                <Field label="Save as" htmlFor="t-name" className="flex-1 min-w-40">
                  <input id="t-name" className={inputClass} value={name} onChange={(e) => setName(e.target.value)} placeholder="hashed-emails" />
                </Field>
                <Button variant="primary" busy={createT.isPending} disabled={!name || !account} onClick={() => { const c = parseConfig(); if (c && account) createT.mutate({ accountId: account.id, name, source, config: c }); }}>Save</Button>
              </div>
              <ErrorBox error={createT.error} title="Could not save the transformer" />
            </div>
            <div>
              <p className="mb-1 text-sm font-medium text-slate-800">Preview</p>
              <ErrorBox error={preview.error} title="Preview failed" />
              {preview.data ? (
                <Table head={["Input", "Output"]}>
                  {inputs.map((s, i) => (
                    <tr key={i}>
                      <Td className="font-mono text-xs">{s}</Td>
                      <Td className="font-mono text-xs">{preview.data.errors[i] ? <span className="text-red-700">{preview.data.errors[i]}</span> : preview.data.outputs[i] ? JSON.stringify(toJson(ValueSchema, preview.data.outputs[i])) : "—"}</Td>
                    </tr>
                  ))}
                </Table>
              ) : (
                <p className="rounded-md border border-dashed border-slate-300 p-4 text-sm text-slate-500">Click Preview to see what the transformer makes of the sample values.</p>
              )}
            </div>
          </div>
        </Card>

        <Card title="Your transformers">
          <ErrorBox error={user.error} title="Could not load your transformers" />
          {user.isLoading && <Loading />}
          {user.data && user.data.transformers.length === 0 && <EmptyState title="No saved transformers" description="Configure a system transformer above and save it under a name." />}
          {user.data && user.data.transformers.length > 0 && (
            <Table head={["Name", "Based on", "Configuration", "Created"]}>
              {user.data.transformers.map((t) => (
                <tr key={t.id}>
                  <Td className="font-medium">{t.name}</Td>
                  <Td className="font-mono text-xs">{t.source}</Td>
                  <Td className="font-mono text-xs">{JSON.stringify(t.config ?? {})}</Td>
                  <Td className="whitespace-nowrap">{formatTime(t.createdAt)}</Td>
                </tr>
              ))}
            </Table>
          )}
        </Card>

        <Card title={`System catalogue (${all.length})`} actions={<input aria-label="Filter transformers" className={inputClass + " max-w-56"} placeholder="Filter…" value={filter} onChange={(e) => setFilter(e.target.value)} />}>
          <ErrorBox error={sys.error} title="Could not load the catalogue" />
          {sys.isLoading && <Loading />}
          {sys.data && (
            <Table head={["Transformer", "Description", "Parameters", "Output"]}>
              {shown.map((t) => (
                <tr key={t.source}>
                  <Td className="min-w-44">
                    <p className="font-medium text-slate-900">{t.name}</p>
                    <p className="font-mono text-xs text-slate-500">{t.source}</p>
                  </Td>
                  <Td className="min-w-64 text-xs">{t.description}</Td>
                  <Td className="min-w-56">{params(t)}</Td>
                  <Td><Badge>{t.outputDataType || "any"}</Badge></Td>
                </tr>
              ))}
            </Table>
          )}
        </Card>
      </div>
    </>
  );
}
