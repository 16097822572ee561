"use client";

import { useMutation } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ConnectionService } from "@/gen/mgmt/v1alpha1/connection_pb";
import { useAccount, useDenied } from "@/lib/account";
import { ConnectionForm } from "@/components/connection-form";
import { ErrorBox, Loading, PageHeader, RoleNote } from "@/components/ui";

export default function NewConnectionPage() {
  const router = useRouter();
  const qc = useQueryClient();
  const { account, error } = useAccount();
  const denied = useDenied("connection.write");
  const createConn = useMutation(ConnectionService.method.createConnection, {
    onSuccess: async (res) => {
      await qc.invalidateQueries();
      router.push(`/connections/${res.connection?.id}`);
    },
  });
  return (
    <div className="max-w-3xl">
      <PageHeader title="New connection" back={{ href: "/connections", label: "Connections" }} description="Test the connection before saving: the check lists the tables this role can read and write." />
      <RoleNote reason={denied} />
      <ErrorBox error={error} />
      {!account ? (
        !error && <Loading />
      ) : (
        <ConnectionForm
          onSave={(name, connectionConfig) => createConn.mutate({ accountId: account.id, name, connectionConfig })}
          saving={createConn.isPending}
          saveError={createConn.error}
          denied={denied}
        />
      )}
    </div>
  );
}
