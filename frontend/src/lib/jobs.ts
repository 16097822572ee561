import type { Job } from "@/gen/mgmt/v1alpha1/job_pb";

/** sourceOf is the connection a job reads: the sync source, or the connection a generate job takes its schema from. */
export function sourceOf(j: Job): string {
  switch (j.source?.options.case) {
    case "sync":
      return j.source.options.value.connectionId;
    case "generate":
      return j.source.options.value.fkSourceConnectionId ?? "";
    default:
      return "";
  }
}
