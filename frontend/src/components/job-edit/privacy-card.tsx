"use client";

import { useMutation } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { JobService, type Job } from "@/gen/mgmt/v1alpha1/job_pb";
import { errorMessage } from "@/lib/errors";
import { checkPrivacy, clearChanged, leakFields, leakPolicyOf, prfLabel, prfOf, privacyDraftOf, serverFieldErrors, type PrivacyDraft, type PrivacyErrors } from "@/lib/privacy";
import { PrivacyFields } from "../privacy-fields";
import { Button, Card, Dl } from "../ui";
import { EditActions } from "./edit-actions";

/**
 * PrivacyCard shows and edits a sync job's consistent-mode PRF version and
 * leak policy thresholds. Save checks the rates in place and stores them
 * with UpdateJobSourceConnection, the source's connection, subsets,
 * mappings and virtual foreign keys kept as they are; an error the API
 * returns about one threshold appears under its input.
 */
export function PrivacyCard({ job }: { job: Job }) {
  const qc = useQueryClient();
  const sync = job.source?.options.case === "sync" ? job.source.options.value : undefined;
  const saved = privacyDraftOf(sync);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<PrivacyDraft>(saved);
  const [errors, setErrors] = useState<PrivacyErrors>({});
  const save = useMutation(JobService.method.updateJobSourceConnection);
  if (!sync) return null;

  const submit = async () => {
    const e = checkPrivacy(draft);
    setErrors(e);
    if (Object.keys(e).length) return;
    // Every other field of the source is sent back as it is.
    const { $typeName: _, ...rest } = sync;
    try {
      await save.mutateAsync({
        id: job.id,
        source: { options: { case: "sync", value: { ...rest, consistentPrf: prfOf(draft.prf), leakPolicy: leakPolicyOf(draft) } } },
        mappings: job.mappings,
        virtualForeignKeys: job.virtualForeignKeys,
      });
      setEditing(false);
      await qc.invalidateQueries();
    } catch (err) {
      setErrors(serverFieldErrors(errorMessage(err)));
    }
  };
  const placed = Object.keys(errors).length > 0;
  return (
    <Card
      title="Privacy"
      actions={
        !editing && (
          <Button className="px-2 py-1" onClick={() => { setDraft(saved); setErrors({}); save.reset(); setEditing(true); }}>
            Edit privacy
          </Button>
        )
      }
    >
      {editing ? (
        <form className="space-y-4" onSubmit={(e) => { e.preventDefault(); submit(); }} aria-label="Privacy settings">
          <PrivacyFields value={draft} onChange={(d) => { setErrors((e) => clearChanged(e, draft, d)); setDraft(d); }} errors={errors} saved={saved.prf} idPrefix="privacy" />
          <EditActions
            formError={placed ? "Fix the values shown in place." : undefined}
            saveError={placed ? undefined : save.error}
            saveTitle="Could not save the privacy settings"
            label="Save privacy"
            onCancel={() => setEditing(false)}
            busy={save.isPending}
          />
        </form>
      ) : (
        <Dl
          items={[
            [
              "Consistent-mode PRF",
              <span key="p">
                {prfLabel[saved.prf]}
                {saved.prf === "v1" && <span className="block text-xs text-amber-800">Edit privacy to opt in to v2 (re-copy the destinations then).</span>}
              </span>,
            ],
            ...leakFields.map(([k, label, def]): [string, ReactNode] => [
              label.replace(" (%)", ""),
              saved[k] ? `${saved[k]} %` : <span key={k} className="text-slate-500">{def} % (default)</span>,
            ]),
          ]}
        />
      )}
    </Card>
  );
}
