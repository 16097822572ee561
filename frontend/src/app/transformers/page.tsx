"use client";

import { toJson, type JsonObject } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { TransformersService, type SystemTransformer, type UserDefinedTransformer } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { TransformerEditor } from "@/components/transformer-editor";
import { useAccount, useDenied } from "@/lib/account";
import { formatTime } from "@/lib/format";
import { Badge, Button, Card, ConfirmDialog, EmptyState, ErrorBox, Loading, PageHeader, RoleNote, Table, Td, inputClass } from "@/components/ui";

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

/** TransformersPage: create and edit user-defined transformers with a live preview, the saved ones, and the system catalogue. */
export default function TransformersPage() {
  const { account } = useAccount();
  const qc = useQueryClient();
  const sys = useQuery(TransformersService.method.getSystemTransformers, {}, { staleTime: Infinity });
  const user = useQuery(TransformersService.method.getUserDefinedTransformers, { accountId: account?.id }, { enabled: !!account });
  const [filter, setFilter] = useState("");
  const [editing, setEditing] = useState<UserDefinedTransformer | undefined>();
  const [formKey, setFormKey] = useState(0);
  const [deleting, setDeleting] = useState<UserDefinedTransformer | null>(null);
  const del = useMutation(TransformersService.method.deleteUserDefinedTransformer, { onSuccess: async () => { setDeleting(null); await qc.invalidateQueries(); } });
  const editor = useRef<HTMLDivElement>(null);
  const denied = useDenied("transformer.write");

  const all = sys.data?.transformers ?? [];
  const shown = all.filter((t) => !filter || `${t.source} ${t.name} ${t.description}`.toLowerCase().includes(filter.toLowerCase()));
  const startEdit = (t: UserDefinedTransformer) => {
    setEditing(t);
    setFormKey((k) => k + 1);
    editor.current?.scrollIntoView({ behavior: "smooth", block: "start" });
  };
  return (
    <>
      <PageHeader title="Transformers" description="How a column's values are replaced. Save a configured system transformer — or your own JavaScript — under a name to reuse it across jobs." />
      <div className="space-y-6">
        <div ref={editor} className="scroll-mt-4">
          <Card title={editing ? `Edit ${editing.name}` : "New transformer"}>
            <ErrorBox error={sys.error} title="Could not load the catalogue" />
            {denied ? (
              <RoleNote reason={denied} />
            ) : sys.isLoading || !account ? (
              <Loading />
            ) : (
              <TransformerEditor
                key={formKey}
                accountId={account.id}
                transformers={all}
                editing={editing}
                onDone={() => { setEditing(undefined); setFormKey((k) => k + 1); }}
              />
            )}
          </Card>
        </div>

        <Card title="Your transformers">
          <ErrorBox error={user.error} title="Could not load your transformers" />
          {user.isLoading && <Loading />}
          {user.data && user.data.transformers.length === 0 && <EmptyState title="No saved transformers" description="Configure a system transformer above and save it under a name." />}
          {user.data && user.data.transformers.length > 0 && (
            <Table head={["Name", "Based on", "Configuration", "Updated", ""]}>
              {user.data.transformers.map((t) => (
                <tr key={t.id}>
                  <Td className="font-medium">
                    {t.name}
                    {t.description && <span className="block text-xs font-normal text-slate-500">{t.description}</span>}
                  </Td>
                  <Td className="font-mono text-xs">{t.source}</Td>
                  <Td className="max-w-72 font-mono text-xs"><span className="line-clamp-3 break-all">{configSummary(t.config)}</span></Td>
                  <Td className="whitespace-nowrap">{formatTime(t.updatedAt ?? t.createdAt)}</Td>
                  <Td className="whitespace-nowrap text-right">
                    <Button variant="ghost" className="px-2 py-1" aria-label={`Edit ${t.name}`} denied={denied} onClick={() => startEdit(t)}>Edit</Button>
                    <Button variant="ghost" className="px-2 py-1 text-red-700" aria-label={`Delete ${t.name}`} denied={denied} onClick={() => { del.reset(); setDeleting(t); }}>Delete</Button>
                  </Td>
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
      <ConfirmDialog
        open={!!deleting}
        title={`Delete ${deleting?.name}?`}
        body="Jobs that use this transformer must be changed first; the API refuses otherwise."
        confirmLabel="Delete transformer"
        busy={del.isPending}
        error={del.error}
        onConfirm={() => deleting && del.mutate({ transformerId: deleting.id })}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}

/** configSummary shows a saved config compactly; JavaScript code is cut to its first line. */
function configSummary(c: JsonObject | undefined): string {
  if (!c || Object.keys(c).length === 0) return "defaults";
  return Object.entries(c)
    .map(([k, v]) => `${k}=${k === "code" && typeof v === "string" ? (v.split("\n").find((l) => l.trim() && !l.trim().startsWith("//")) ?? "").trim() + "…" : JSON.stringify(v)}`)
    .join(", ");
}
