import type { AwsS3ConnectionConfig } from "@/gen/mgmt/v1alpha1/connection_pb";

/**
 * BucketDetails shows a saved S3 connection read-only: the web app does not
 * edit buckets yet (the API and `neosync connections create --s3-*` do).
 * The secret key arrives masked from the API and is shown as such.
 */
export function BucketDetails({ cfg }: { cfg: AwsS3ConnectionConfig }) {
  const rows: [string, string][] = [
    ["Bucket", cfg.bucket],
    ["Prefix", cfg.pathPrefix ?? ""],
    ["Region", cfg.region ?? "us-east-1"],
    ["Endpoint", (cfg.endpoint || "AWS") + (cfg.forcePathStyle ? " (path-style)" : "")],
    ["Access key", cfg.credentials?.accessKeyId ? `${cfg.credentials.accessKeyId} (secret ${cfg.credentials.secretAccessKey ?? ""})` : "anonymous"],
  ];
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
      <p className="mb-4 text-sm text-slate-600">
        An S3-compatible bucket that sync jobs export to. The web app shows it read-only; change it with{" "}
        <code className="font-mono">neosync connections create --s3-*</code> or the API.
      </p>
      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="font-medium text-slate-800">{label}</dt>
            <dd className="font-mono text-slate-700 break-all">{value || "—"}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
