"use client";

import { Radio, RadioGroup } from "@headlessui/react";
import { useMutation } from "@connectrpc/connect-query";
import { useState, type FormEvent } from "react";
import { ConnectionService, type CheckConnectionConfigResponse, type ConnectionConfig } from "@/gen/mgmt/v1alpha1/connection_pb";
import {
  SECRET_MASK,
  SSL_MODES,
  hasMaskedSecret,
  emptyValues,
  toConfig,
  validate,
  type ConnectionFormErrors,
  type ConnectionFormValues,
  type DbType,
} from "@/lib/connection-form";
import { Badge, Button, ErrorBox, Field, Table, Td, cx, inputClass } from "./ui";

const types: { value: DbType; label: string; hint: string }[] = [
  { value: "postgres", label: "PostgreSQL", hint: "Postgres 12 or later" },
  { value: "mysql", label: "MySQL", hint: "MySQL 8 or MariaDB 10.5+" },
  { value: "s3", label: "S3 bucket", hint: "AWS S3 or an S3-compatible server" },
];

/**
 * ConnectionForm edits a connection. Test connection checks the unsaved
 * values; onSave receives the name and the config to create or update.
 */
export function ConnectionForm({
  initial,
  isEdit = false,
  connectionId,
  onSave,
  saving,
  saveError,
  denied,
}: {
  initial?: ConnectionFormValues;
  isEdit?: boolean;
  /** The saved connection's id: with it, Test connection checks the stored config while the form still holds masked secrets. */
  connectionId?: string;
  onSave: (name: string, config: ConnectionConfig) => void;
  saving?: boolean;
  saveError?: unknown;
  /** denied (useDenied("connection.write")) disables testing and saving, saying why. */
  denied?: string;
}) {
  const [v, setV] = useState<ConnectionFormValues>(initial ?? emptyValues());
  const [errors, setErrors] = useState<ConnectionFormErrors>({});
  const checkConfig = useMutation(ConnectionService.method.checkConnectionConfig);
  const checkById = useMutation(ConnectionService.method.checkConnectionConfigById);
  const [maskedEdit, setMaskedEdit] = useState(false);
  // One view of both checks: the unsaved values, or the saved connection.
  const check = {
    data: checkById.data ?? checkConfig.data,
    error: maskedEdit ? new Error("This change cannot be tested with the stored secret: save it first, or re-enter the secret.") : checkById.error ?? checkConfig.error,
    isPending: checkById.isPending || checkConfig.isPending,
    reset: () => {
      checkById.reset();
      checkConfig.reset();
      setMaskedEdit(false);
    },
  };

  const set = <K extends keyof ConnectionFormValues>(k: K, value: ConnectionFormValues[K]) => {
    setV((old) => ({ ...old, [k]: value }));
    if (errors[k]) setErrors((e) => ({ ...e, [k]: undefined }));
    check.reset();
  };

  const setType = (t: DbType) => {
    setV((old) => ({ ...old, type: t, port: old.port === "5432" || old.port === "3306" || !old.port ? (t === "postgres" ? "5432" : "3306") : old.port, sslMode: t === "postgres" ? old.sslMode || "disable" : "" }));
    check.reset();
  };

  const valid = (requireName: boolean) => {
    const e = validate(v, { requireName });
    setErrors(e);
    return Object.keys(e).length === 0;
  };

  const onTest = () => {
    if (!valid(false)) return;
    check.reset();
    // A masked secret means "the stored one": the API can only use it for
    // the saved connection, so unchanged values are checked by id.
    if (connectionId && hasMaskedSecret(v)) {
      if (JSON.stringify({ ...v, name: "" }) === JSON.stringify({ ...initial, name: "" })) checkById.mutate({ id: connectionId });
      else setMaskedEdit(true);
      return;
    }
    checkConfig.mutate({ connectionConfig: toConfig(v) });
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (valid(true)) onSave(v.name.trim(), toConfig(v));
  };

  const input = (k: Exclude<keyof ConnectionFormValues, "sshInsecure" | "s3PathStyle">, props: Record<string, unknown> = {}) => ({
    id: `conn-${k}`,
    name: k,
    value: v[k],
    onChange: (e: { target: { value: string } }) => set(k, e.target.value as never),
    "aria-invalid": errors[k] ? true : undefined,
    "aria-describedby": errors[k] ? `conn-${k}-error` : undefined,
    className: inputClass,
    ...props,
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-6">
      <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6 space-y-5">
        <Field label="Name" htmlFor="conn-name" error={errors.name} hint="How jobs and the CLI refer to this connection, e.g. prod-replica.">
          <input {...input("name", { autoComplete: "off", placeholder: "prod-replica" })} />
        </Field>

        <div>
          <p className="mb-2 text-sm font-medium text-slate-800" id="conn-type-label">
            Database type
          </p>
          <RadioGroup value={v.type} onChange={setType} aria-labelledby="conn-type-label" className="grid grid-cols-1 gap-3 sm:grid-cols-3" disabled={isEdit}>
            {types.map((t) => (
              <Radio
                key={t.value}
                value={t.value}
                className={({ checked, disabled }) =>
                  cx(
                    "cursor-pointer rounded-lg border px-4 py-3 text-sm focus:outline-none data-[focus]:ring-2 data-[focus]:ring-indigo-500",
                    checked ? "border-indigo-500 bg-indigo-50 ring-1 ring-indigo-500" : "border-slate-300 bg-white hover:border-slate-400",
                    disabled && !checked && "opacity-50 cursor-not-allowed",
                  )
                }
              >
                <span className="block font-medium text-slate-900">{t.label}</span>
                <span className="block text-xs text-slate-500">{t.hint}</span>
              </Radio>
            ))}
          </RadioGroup>
          {isEdit && <p className="mt-1 text-xs text-slate-500">The type of a saved connection cannot change; create a new connection instead.</p>}
        </div>

        {v.type === "s3" ? (
          <BucketFields v={v} errors={errors} isEdit={isEdit} input={input} setPathStyle={(b) => set("s3PathStyle", b)} />
        ) : (
          <>
            <div>
              <div role="tablist" aria-label="How to connect" className="mb-3 inline-flex rounded-md bg-slate-100 p-1 text-sm">
                {(["url", "fields", "env"] as const).map((m) => (
                  <button
                    key={m}
                    type="button"
                    role="tab"
                    aria-selected={v.mode === m}
                    onClick={() => set("mode", m)}
                    className={cx("rounded px-3 py-1.5 font-medium", v.mode === m ? "bg-white text-slate-900 shadow-sm" : "text-slate-600 hover:text-slate-900")}
                  >
                    {m === "url" ? "Connection URL" : m === "fields" ? "Host and credentials" : "Worker environment"}
                  </button>
                ))}
              </div>
              {v.mode === "env" ? (
                <Field
                  label="Environment variable"
                  htmlFor="conn-urlFromEnv"
                  error={errors.urlFromEnv}
                  hint="The worker reads the URL from this variable when a job runs; it is never sent to or stored by the API. Checks and the schema view work only if the API has the variable too."
                >
                  <input {...input("urlFromEnv", { autoComplete: "off", spellCheck: false, placeholder: "NEOSYNC_URL_PRODUCTION", className: inputClass + " font-mono" })} />
                </Field>
              ) : v.mode === "url" ? (
                <Field
                  label="Connection URL"
                  htmlFor="conn-url"
                  error={errors.url}
                  hint={
                    isEdit && v.url.includes(SECRET_MASK)
                      ? "The stored password is shown as ******** and is kept unless you replace it."
                      : v.type === "postgres"
                        ? "postgres://user:password@host:5432/database?sslmode=require"
                        : "mysql://user:password@host:3306/database"
                  }
                >
                  <input {...input("url", { autoComplete: "off", spellCheck: false, placeholder: v.type === "postgres" ? "postgres://user:password@host:5432/db" : "mysql://user:password@host:3306/db", className: inputClass + " font-mono" })} />
                </Field>
              ) : (
                <div className="grid grid-cols-1 gap-4 sm:grid-cols-6">
                  <Field label="Host" htmlFor="conn-host" error={errors.host} className="sm:col-span-4">
                    <input {...input("host", { autoComplete: "off" })} />
                  </Field>
                  <Field label="Port" htmlFor="conn-port" error={errors.port} className="sm:col-span-2">
                    <input {...input("port", { inputMode: "numeric" })} />
                  </Field>
                  <Field label="Database" htmlFor="conn-database" error={errors.database} className="sm:col-span-6">
                    <input {...input("database", { autoComplete: "off" })} />
                  </Field>
                  <Field label="User" htmlFor="conn-user" error={errors.user} className="sm:col-span-3">
                    <input {...input("user", { autoComplete: "off" })} />
                  </Field>
                  <Field
                    label="Password"
                    htmlFor="conn-password"
                    className="sm:col-span-3"
                    hint={isEdit && v.password === SECRET_MASK ? "Stored password kept unless you replace it." : undefined}
                  >
                    <input {...input("password", { type: "password", autoComplete: "new-password" })} />
                  </Field>
                  {v.type === "postgres" && (
                    <Field label="SSL mode" htmlFor="conn-sslMode" className="sm:col-span-3">
                      <select {...input("sslMode")}>
                        {SSL_MODES.map((m) => (
                          <option key={m} value={m}>
                            {m}
                          </option>
                        ))}
                      </select>
                    </Field>
                  )}
                </div>
              )}
              {v.mode === "url" && v.type === "postgres" && <p className="mt-2 text-xs text-slate-500">Set the SSL mode with the URL&apos;s sslmode parameter.</p>}
            </div>

            <details className="group rounded-md border border-slate-200" open={v.sshHost !== "" || undefined}>
              <summary className="cursor-pointer select-none px-3 py-2 text-sm font-medium text-slate-700">SSH tunnel (bastion)</summary>
              <div className="grid grid-cols-1 gap-4 border-t border-slate-200 p-3 sm:grid-cols-6">
                <p className="text-xs text-slate-500 sm:col-span-6">
                  Leave the host empty for a direct connection. With a tunnel, the database host and port above are the ones the bastion sees.
                </p>
                <Field label="SSH host" htmlFor="conn-sshHost" className="sm:col-span-4">
                  <input {...input("sshHost", { autoComplete: "off", placeholder: "bastion.example.com" })} />
                </Field>
                <Field label="SSH port" htmlFor="conn-sshPort" error={errors.sshPort} className="sm:col-span-2">
                  <input {...input("sshPort", { inputMode: "numeric", placeholder: "22" })} />
                </Field>
                <Field label="SSH user" htmlFor="conn-sshUser" error={errors.sshUser} className="sm:col-span-3">
                  <input {...input("sshUser", { autoComplete: "off" })} />
                </Field>
                <Field label="Authentication" htmlFor="conn-sshAuth" className="sm:col-span-3">
                  <select {...input("sshAuth")}>
                    <option value="key">Private key</option>
                    <option value="password">Password</option>
                  </select>
                </Field>
                {v.sshAuth === "key" ? (
                  <Field
                    label="Private key (PEM)"
                    htmlFor="conn-sshPrivateKey"
                    error={errors.sshPrivateKey}
                    className="sm:col-span-6"
                    hint={isEdit && v.sshPrivateKey === SECRET_MASK ? "The stored key is kept unless you replace it." : "Unencrypted OpenSSH, PKCS#1, PKCS#8 or EC key; stored encrypted."}
                  >
                    <textarea {...input("sshPrivateKey", { rows: 4, spellCheck: false, className: inputClass + " font-mono text-xs" })} />
                  </Field>
                ) : (
                  <Field label="SSH password" htmlFor="conn-sshPassword" error={errors.sshPassword} className="sm:col-span-6">
                    <input {...input("sshPassword", { type: "password", autoComplete: "new-password" })} />
                  </Field>
                )}
                <Field
                  label="Known host key"
                  htmlFor="conn-sshKnownHostKey"
                  error={errors.sshKnownHostKey}
                  className="sm:col-span-6"
                  hint="From ssh-keyscan -t ed25519 bastion.example.com. A different key is refused before any credential is sent."
                >
                  <input {...input("sshKnownHostKey", { autoComplete: "off", spellCheck: false, disabled: v.sshInsecure, placeholder: "ssh-ed25519 AAAA…", className: inputClass + " font-mono text-xs" })} />
                </Field>
                <label className="flex items-start gap-2 text-sm text-slate-700 sm:col-span-6">
                  <input type="checkbox" id="conn-sshInsecure" checked={v.sshInsecure} onChange={(e) => set("sshInsecure", e.target.checked)} className="mt-0.5" />
                  <span>
                    Skip the host key check <span className="text-red-700">(insecure: anyone on the path to the bastion can read the credentials and the data)</span>
                  </span>
                </label>
              </div>
            </details>

            <details className="group rounded-md border border-slate-200">
              <summary className="cursor-pointer select-none px-3 py-2 text-sm font-medium text-slate-700">Connection pool options</summary>
              <div className="grid grid-cols-1 gap-4 border-t border-slate-200 p-3 sm:grid-cols-2">
                <Field label="Max open connections" htmlFor="conn-maxConnections" error={errors.maxConnections}>
                  <input {...input("maxConnections", { inputMode: "numeric", placeholder: "driver default" })} />
                </Field>
                <Field label="Max idle connections" htmlFor="conn-maxIdleConnections" error={errors.maxIdleConnections}>
                  <input {...input("maxIdleConnections", { inputMode: "numeric", placeholder: "driver default" })} />
                </Field>
                <Field label="Max idle time" htmlFor="conn-maxIdleDuration" error={errors.maxIdleDuration}>
                  <input {...input("maxIdleDuration", { placeholder: "e.g. 5m" })} />
                </Field>
                <Field label="Max connection lifetime" htmlFor="conn-maxOpenDuration" error={errors.maxOpenDuration}>
                  <input {...input("maxOpenDuration", { placeholder: "e.g. 1h" })} />
                </Field>
              </div>
            </details>
          </>
        )}
      </div>

      <CheckResult result={check.data} error={check.error} bucket={v.type === "s3"} />
      <ErrorBox error={saveError} title="Could not save the connection" />

      <div className="flex flex-wrap gap-2">
        <Button onClick={onTest} busy={check.isPending} denied={denied}>
          Test connection
        </Button>
        <Button type="submit" variant="primary" busy={saving} denied={denied}>
          {isEdit ? "Save changes" : "Save connection"}
        </Button>
      </div>
    </form>
  );
}

type InputProps = (k: Exclude<keyof ConnectionFormValues, "sshInsecure" | "s3PathStyle">, props?: Record<string, unknown>) => Record<string, unknown>;

/** BucketFields edits an S3 connection: the bucket, where its keys go, the server, and static credentials (the secret is masked once saved). */
function BucketFields({
  v,
  errors,
  isEdit,
  input,
  setPathStyle,
}: {
  v: ConnectionFormValues;
  errors: ConnectionFormErrors;
  isEdit: boolean;
  input: InputProps;
  setPathStyle: (b: boolean) => void;
}) {
  return (
    <div className="grid grid-cols-1 gap-4 sm:grid-cols-6">
      <p className="text-xs text-slate-500 sm:col-span-6">
        Sync jobs export each run here as JSON Lines or Parquet files with a manifest; a job whose source is this bucket imports an export back into a database.
      </p>
      <Field label="Bucket" htmlFor="conn-s3Bucket" error={errors.s3Bucket} className="sm:col-span-3">
        <input {...input("s3Bucket", { autoComplete: "off", spellCheck: false, placeholder: "neosync-exports" })} />
      </Field>
      <Field label="Path prefix" htmlFor="conn-s3Prefix" error={errors.s3Prefix} className="sm:col-span-3" hint="Optional folder for every key, e.g. team/staging.">
        <input {...input("s3Prefix", { autoComplete: "off", spellCheck: false })} />
      </Field>
      <Field label="Endpoint" htmlFor="conn-s3Endpoint" error={errors.s3Endpoint} className="sm:col-span-4" hint="Empty for AWS S3; the base URL of MinIO, versitygw, R2…">
        <input {...input("s3Endpoint", { autoComplete: "off", spellCheck: false, placeholder: "https://s3.example.com", className: inputClass + " font-mono" })} />
      </Field>
      <Field label="Region" htmlFor="conn-s3Region" error={errors.s3Region} className="sm:col-span-2">
        <input {...input("s3Region", { autoComplete: "off", placeholder: "us-east-1" })} />
      </Field>
      <label className="flex items-start gap-2 text-sm text-slate-700 sm:col-span-6">
        <input type="checkbox" id="conn-s3PathStyle" checked={v.s3PathStyle} onChange={(e) => setPathStyle(e.target.checked)} className="mt-0.5" />
        <span>Path-style addressing (endpoint/bucket), which most self-hosted servers need</span>
      </label>
      <Field label="Access key ID" htmlFor="conn-s3AccessKeyId" error={errors.s3AccessKeyId} className="sm:col-span-3" hint="Leave both keys empty for a public bucket.">
        <input {...input("s3AccessKeyId", { autoComplete: "off", spellCheck: false, className: inputClass + " font-mono" })} />
      </Field>
      <Field
        label="Secret access key"
        htmlFor="conn-s3SecretAccessKey"
        error={errors.s3SecretAccessKey}
        className="sm:col-span-3"
        hint={isEdit && v.s3SecretAccessKey === SECRET_MASK ? "The stored secret is kept unless you replace it." : "Stored encrypted; shown masked."}
      >
        <input {...input("s3SecretAccessKey", { type: "password", autoComplete: "new-password" })} />
      </Field>
    </div>
  );
}

function CheckResult({ result, error, bucket }: { result?: Pick<CheckConnectionConfigResponse, "isConnected" | "connectionError" | "privileges">; error: unknown; bucket?: boolean }) {
  if (error) return <ErrorBox error={error} title="Could not test the connection" />;
  if (!result) return null;
  if (!result.isConnected) {
    return (
      <div role="status" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
        <p className="font-medium">Could not connect</p>
        <p className="mt-0.5 break-words font-mono text-xs">{result.connectionError || "unknown error"}</p>
      </div>
    );
  }
  if (bucket) {
    return (
      <div role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
        <p className="font-medium">Connected</p>
        <p className="mt-0.5">The bucket was listed, and a probe object written and deleted under the prefix.</p>
      </div>
    );
  }
  const showGrantee = result.privileges.some((p) => p.grantee);
  return (
    <div role="status" className="space-y-3">
      <div className="rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
        <p className="font-medium">Connected</p>
        <p className="mt-0.5">
          {result.privileges.length} table{result.privileges.length === 1 ? "" : "s"} visible to this role.
        </p>
      </div>
      {result.privileges.length > 0 && (
        <div className="max-h-72 overflow-y-auto">
          <Table head={showGrantee ? ["Schema", "Table", "Grantee", "Privileges"] : ["Schema", "Table", "Privileges"]}>
            {result.privileges.map((p) => (
              <tr key={`${p.schema}.${p.table}.${p.grantee}`}>
                <Td className="font-mono text-xs">{p.schema}</Td>
                <Td className="font-mono text-xs">{p.table}</Td>
                {showGrantee && <Td>{p.grantee}</Td>}
                <Td>
                  <div className="flex flex-wrap gap-1">
                    {p.privilegeType.map((t) => (
                      <Badge key={t} tone={t === "SELECT" ? "green" : "gray"}>
                        {t}
                      </Badge>
                    ))}
                  </div>
                </Td>
              </tr>
            ))}
          </Table>
        </div>
      )}
    </div>
  );
}
