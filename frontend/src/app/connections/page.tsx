"use client";

import Link from "next/link";
import { useQuery } from "@connectrpc/connect-query";
import { ConnectionService } from "@/gen/mgmt/v1alpha1/connection_pb";
import { useAccount, useDenied } from "@/lib/account";
import { connectionType } from "@/lib/connection-form";
import { formatTime } from "@/lib/format";
import { Badge, ButtonLink, EmptyState, ErrorBox, Loading, PageHeader, RoleNote, Table, Td } from "@/components/ui";

export default function ConnectionsPage() {
  const { account, error: accountError } = useAccount();
  const q = useQuery(ConnectionService.method.getConnections, { accountId: account?.id }, { enabled: !!account });
  const connections = q.data?.connections ?? [];
  const denied = useDenied("connection.write");
  return (
    <>
      <PageHeader
        title="Connections"
        description="Databases that jobs read from and write to. Credentials are encrypted at rest."
        actions={<ButtonLink href="/connections/new" denied={denied}>New connection</ButtonLink>}
      />
      <RoleNote reason={denied} />
      <ErrorBox error={accountError ?? q.error} title="Could not load connections" />
      {!accountError && !q.error && (q.isLoading || !account) ? (
        <Loading />
      ) : q.data && connections.length === 0 ? (
        <EmptyState
          title="No connections yet"
          description="Add the production database you want to copy from and a test database to copy into."
          action={<ButtonLink href="/connections/new" denied={denied}>New connection</ButtonLink>}
        />
      ) : connections.length > 0 ? (
        <Table head={["Name", "Type", "Created", "Updated"]}>
          {connections.map((c) => (
            <tr key={c.id} className="hover:bg-slate-50">
              <Td>
                <Link href={`/connections/${c.id}`} className="whitespace-nowrap font-medium text-indigo-700 hover:underline">
                  {c.name}
                </Link>
              </Td>
              <Td>
                <Badge tone={c.connectionConfig?.config.case === "mysqlConfig" ? "yellow" : "blue"}>{connectionType(c.connectionConfig)}</Badge>
              </Td>
              <Td className="whitespace-nowrap">{formatTime(c.createdAt)}</Td>
              <Td className="whitespace-nowrap">{formatTime(c.updatedAt)}</Td>
            </tr>
          ))}
        </Table>
      ) : null}
    </>
  );
}
