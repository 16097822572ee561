"use client";

import { useRouter } from "next/navigation";
import { CreateTeamForm } from "@/components/create-team";
import { Card, PageHeader } from "@/components/ui";

/** NewTeamPage creates a team account (the caller its first admin) and opens its Team page. */
export default function NewTeamPage() {
  const router = useRouter();
  return (
    <div className="max-w-2xl">
      <PageHeader title="New team" back={{ href: "/team", label: "Team" }} description="A team account shares connections, jobs and runs between its members, each with a role. You become its first admin." />
      <Card>
        <CreateTeamForm onCreated={() => router.push("/team")} />
      </Card>
    </div>
  );
}
