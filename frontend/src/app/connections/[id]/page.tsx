"use client";

import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { ConnectionService } from "@/gen/mgmt/v1alpha1/connection_pb";
import { useDenied } from "@/lib/account";
import { fromConfig } from "@/lib/connection-form";
import { formatTime } from "@/lib/format";
import { ConnectionForm } from "@/components/connection-form";
import { Button, ConfirmDialog, ErrorBox, Loading, PageHeader, RoleNote } from "@/components/ui";

export default function ConnectionPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const qc = useQueryClient();
  const q = useQuery(ConnectionService.method.getConnection, { id });
  const [confirm, setConfirm] = useState(false);
  const [saved, setSaved] = useState(false);
  const update = useMutation(ConnectionService.method.updateConnection, {
    onSuccess: async () => {
      setSaved(true);
      await qc.invalidateQueries();
    },
  });
  const del = useMutation(ConnectionService.method.deleteConnection, {
    onSuccess: async () => {
      await qc.invalidateQueries();
      router.push("/connections");
    },
  });
  const conn = q.data?.connection;
  const denied = useDenied("connection.write");

  return (
    <div className="max-w-3xl">
      <PageHeader
        title={conn?.name ?? "Connection"}
        back={{ href: "/connections", label: "Connections" }}
        description={conn ? `Created ${formatTime(conn.createdAt)} · updated ${formatTime(conn.updatedAt)}` : undefined}
        actions={
          conn && (
            <Button variant="danger" denied={denied} onClick={() => { del.reset(); setConfirm(true); }}>
              Delete
            </Button>
          )
        }
      />
      <RoleNote reason={denied} />
      <ErrorBox error={q.error} title="Could not load the connection" />
      {q.isLoading && <Loading />}
      {saved && !update.isPending && !update.error && (
        <p role="status" className="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-2 text-sm text-emerald-800">
          Changes saved.
        </p>
      )}
      {conn && (
        <ConnectionForm
          key={conn.updatedAt?.seconds.toString()}
          isEdit
          connectionId={id}
          initial={fromConfig(conn.name, conn.connectionConfig)}
          onSave={(name, connectionConfig) => { setSaved(false); update.mutate({ id, name, connectionConfig }); }}
          saving={update.isPending}
          saveError={update.error}
          denied={denied}
        />
      )}
      <ConfirmDialog
        open={confirm}
        title={`Delete ${conn?.name}?`}
        body="Jobs can no longer use this connection. Its data is not touched."
        confirmLabel="Delete connection"
        busy={del.isPending}
        error={del.error}
        onConfirm={() => del.mutate({ id })}
        onClose={() => setConfirm(false)}
      />
    </div>
  );
}
