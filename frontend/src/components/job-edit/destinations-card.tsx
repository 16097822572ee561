"use client";

import Link from "next/link";
import { useMutation } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { Connection } from "@/gen/mgmt/v1alpha1/connection_pb";
import { JobService, type Job, type JobDestination } from "@/gen/mgmt/v1alpha1/job_pb";
import { DestinationBadges, DestinationFields, checkDestinations, destinationDraftOf, destinationOptionsOf, hasErrors, newDestination, type DestinationDraft, type DestinationErrors } from "../destination-form";
import { sourceConnectionId } from "./mappings-card";
import { Button, Card, ConfirmDialog, ErrorBox } from "../ui";

/**
 * DestinationsCard lists a job's destinations with their options and edits
 * them in place: change a destination's connection or options
 * (UpdateJobDestinationConnection), remove one after confirming
 * (DeleteJobDestinationConnection), or add one (CreateJobDestinationConnections).
 * Drafts are checked as in the wizard: a connection, not the sync source, not twice.
 */
export function DestinationsCard({ job, connections, connName }: { job: Job; connections: Connection[]; connName: (id: string) => string }) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState<string | null>(null); // destination id, or "new"
  const [draft, setDraft] = useState<DestinationDraft>(newDestination());
  const [errors, setErrors] = useState<DestinationErrors>({});
  const [removing, setRemoving] = useState<JobDestination | null>(null);
  // The job is refetched before the editor or the confirm dialog closes, so
  // the list the user sees and the next draft is checked against (a
  // connection used twice) never lag a change just saved.
  const done = { onSuccess: async () => { await qc.invalidateQueries(); setEditing(null); } };
  const update = useMutation(JobService.method.updateJobDestinationConnection, done);
  const add = useMutation(JobService.method.createJobDestinationConnections, done);
  const remove = useMutation(JobService.method.deleteJobDestinationConnection, { onSuccess: async () => { await qc.invalidateQueries(); setRemoving(null); } });
  const source = sourceConnectionId(job);
  const generate = job.source?.options.case === "generate";

  const open = (id: string, d: DestinationDraft) => {
    update.reset();
    add.reset();
    setErrors({});
    setDraft(d);
    setEditing(id);
  };
  const submit = () => {
    const others = job.destinations.filter((d) => d.id !== editing).map(destinationDraftOf);
    const errs = checkDestinations([...others, draft], source, connections, generate);
    const mine = errs[errs.length - 1];
    setErrors(mine);
    if (hasErrors([mine])) return;
    if (editing === "new") add.mutate({ jobId: job.id, destinations: [{ connectionId: draft.connectionId, options: destinationOptionsOf(draft) }] });
    else if (editing) update.mutate({ jobId: job.id, destinationId: editing, connectionId: draft.connectionId, options: destinationOptionsOf(draft) });
  };
  const form = (title: string) => (
    <div className="rounded-md border border-indigo-200 bg-indigo-50/40 p-4" role="group" aria-label={title}>
      <DestinationFields idPrefix={`dest-${editing}`} value={draft} onChange={setDraft} errors={errors} connections={connections} label="Connection" generate={generate} />
      <div className="mt-3 space-y-2">
        <ErrorBox error={update.error ?? add.error} title="Could not save the destination" />
        <div className="flex justify-end gap-2">
          <Button onClick={() => setEditing(null)}>Cancel</Button>
          <Button variant="primary" onClick={submit} busy={update.isPending || add.isPending}>
            {editing === "new" ? "Add destination" : "Save destination"}
          </Button>
        </div>
      </div>
    </div>
  );

  return (
    <Card
      title={`Destinations (${job.destinations.length})`}
      actions={
        editing === null && (
          <Button className="px-2 py-1" onClick={() => open("new", newDestination())}>
            + Add
          </Button>
        )
      }
    >
      {job.destinations.length === 0 && editing !== "new" && <p className="text-sm text-slate-500">No destinations: runs have nowhere to write. Add one.</p>}
      <ul className="divide-y divide-slate-100 text-sm">
        {job.destinations.map((d) => (
          <li key={d.id} className="py-3 first:pt-0">
            {editing === d.id ? (
              form(`Edit destination ${connName(d.connectionId)}`)
            ) : (
              <div className="flex flex-wrap items-start justify-between gap-2">
                <div>
                  <Link className="font-medium text-indigo-700 hover:underline" href={`/connections/${d.connectionId}`}>
                    {connName(d.connectionId)}
                  </Link>
                  <DestinationBadges d={destinationDraftOf(d)} />
                </div>
                <div className="flex gap-1">
                  <Button variant="ghost" className="px-2 py-1" onClick={() => open(d.id, destinationDraftOf(d))} aria-label={`Edit destination ${connName(d.connectionId)}`} disabled={editing !== null}>
                    Edit
                  </Button>
                  <Button variant="ghost" className="px-2 py-1 text-red-700" onClick={() => { remove.reset(); setRemoving(d); }} aria-label={`Remove destination ${connName(d.connectionId)}`} disabled={editing !== null}>
                    Remove
                  </Button>
                </div>
              </div>
            )}
          </li>
        ))}
      </ul>
      {editing === "new" && <div className="mt-3">{form("New destination")}</div>}
      <ConfirmDialog
        open={!!removing}
        title={`Remove ${removing ? connName(removing.connectionId) : ""} from this job?`}
        body="Future runs stop writing to this connection. Data already copied stays there."
        confirmLabel="Remove destination"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => removing && remove.mutate({ jobId: job.id, destinationId: removing.id })}
        onClose={() => setRemoving(null)}
      />
    </Card>
  );
}
