// The connection form's model: plain values the inputs edit, validation with
// messages per field, and conversion to and from the API's ConnectionConfig.
// Kept free of React so it is easy to test.

import { create } from "@bufbuild/protobuf";
import { ConnectionConfigSchema, type ConnectionConfig } from "@/gen/mgmt/v1alpha1/connection_pb";

/** The connection's kind: a database, or an S3-compatible bucket (jobs export to it and import from it). */
export type DbType = "postgres" | "mysql" | "s3";
/** How the connection is given: a URL, discrete fields, or the name of a worker environment variable holding the URL. */
export type Mode = "url" | "fields" | "env";

export interface ConnectionFormValues {
  name: string;
  type: DbType;
  mode: Mode;
  url: string;
  /** urlFromEnv names a NEOSYNC_URL_* variable the worker reads at run time. */
  urlFromEnv: string;
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  sslMode: string;
  maxConnections: string;
  maxIdleConnections: string;
  maxIdleDuration: string;
  maxOpenDuration: string;
  /** SSH tunnel: used when sshHost is set. */
  sshHost: string;
  sshPort: string;
  sshUser: string;
  sshAuth: "key" | "password";
  sshPrivateKey: string;
  sshPassword: string;
  sshKnownHostKey: string;
  sshInsecure: boolean;
  /** S3 bucket (type "s3"). */
  s3Bucket: string;
  s3Prefix: string;
  s3Region: string;
  /** Empty for AWS; the base URL of an S3-compatible server otherwise. */
  s3Endpoint: string;
  s3PathStyle: boolean;
  s3AccessKeyId: string;
  /** Arrives masked (SECRET_MASK) from the API; sending the mask back keeps the stored key. */
  s3SecretAccessKey: string;
}

export type ConnectionFormErrors = Partial<Record<keyof ConnectionFormValues, string>>;

/** The API's masked-secret marker: sending it back keeps the stored secret. */
export const SECRET_MASK = "********";

export const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;

export function emptyValues(type: DbType = "postgres"): ConnectionFormValues {
  return {
    name: "",
    type,
    mode: "url",
    url: "",
    urlFromEnv: "",
    host: "127.0.0.1",
    port: type === "postgres" ? "5432" : "3306",
    database: "",
    user: "",
    password: "",
    sslMode: type === "postgres" ? "disable" : "",
    maxConnections: "",
    maxIdleConnections: "",
    maxIdleDuration: "",
    maxOpenDuration: "",
    sshHost: "",
    sshPort: "",
    sshUser: "",
    sshAuth: "key",
    sshPrivateKey: "",
    sshPassword: "",
    sshKnownHostKey: "",
    sshInsecure: false,
    s3Bucket: "",
    s3Prefix: "",
    s3Region: "",
    s3Endpoint: "",
    s3PathStyle: false,
    s3AccessKeyId: "",
    s3SecretAccessKey: "",
  };
}

/** S3's bucket naming rule, as the API checks it. */
const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const regionPattern = /^[a-z0-9-]{1,64}$/;

function validateBucket(v: ConnectionFormValues, e: ConnectionFormErrors) {
  if (!bucketPattern.test(v.s3Bucket.trim())) e.s3Bucket = "3–63 lower-case letters, digits, '.' and '-'.";
  const prefix = v.s3Prefix.trim();
  if (prefix.startsWith("/") || prefix.endsWith("/") || prefix.includes("//")) e.s3Prefix = "No leading, trailing or double '/'.";
  if (v.s3Region.trim() && !regionPattern.test(v.s3Region.trim())) e.s3Region = "A region name such as us-east-1.";
  if (v.s3Endpoint.trim()) {
    try {
      const u = new URL(v.s3Endpoint.trim());
      if ((u.protocol !== "http:" && u.protocol !== "https:") || !u.hostname) e.s3Endpoint = "An http:// or https:// URL such as https://s3.example.com.";
      else if (u.username || u.password) e.s3Endpoint = "Put the credentials in the access key fields, not in the URL.";
    } catch {
      e.s3Endpoint = "An http:// or https:// URL such as https://s3.example.com.";
    }
  }
  if (!!v.s3AccessKeyId.trim() !== !!v.s3SecretAccessKey) {
    if (!v.s3AccessKeyId.trim()) e.s3AccessKeyId = "Give the access key id with its secret.";
    else e.s3SecretAccessKey = "Give the secret with its access key id.";
  }
}

const hostKeyPattern = /^(ssh-[a-z0-9-]+|ecdsa-sha2-nistp\d+|sk-[a-z0-9@.-]+)\s+[A-Za-z0-9+/=]+/;

function validateTunnel(v: ConnectionFormValues, e: ConnectionFormErrors) {
  if (!v.sshHost.trim()) return;
  const port = Number(v.sshPort || "22");
  if (!Number.isInteger(port) || port < 1 || port > 65535) e.sshPort = "Port must be a number from 1 to 65535.";
  if (!v.sshUser.trim()) e.sshUser = "The SSH user is required.";
  if (v.sshAuth === "key" && !v.sshPrivateKey.trim()) e.sshPrivateKey = "Paste the private key (PEM).";
  if (v.sshAuth === "password" && !v.sshPassword) e.sshPassword = "The SSH password is required.";
  if (!v.sshInsecure && !hostKeyPattern.test(v.sshKnownHostKey.trim()))
    e.sshKnownHostKey = 'The bastion\'s host key as ssh-keyscan prints it, e.g. "ssh-ed25519 AAAA…".';
}

function tunnelConfig(v: ConnectionFormValues) {
  if (!v.sshHost.trim()) return undefined;
  return {
    host: v.sshHost.trim(),
    port: v.sshPort ? Number(v.sshPort) : 0,
    user: v.sshUser.trim(),
    auth: v.sshAuth === "key" ? { case: "privateKey" as const, value: v.sshPrivateKey } : { case: "password" as const, value: v.sshPassword },
    knownHostKey: v.sshInsecure ? "" : v.sshKnownHostKey.trim(),
    insecureSkipHostKeyCheck: v.sshInsecure,
  };
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** The API's rule for url_from_env names (sqlconnect.EnvURLPrefix). */
export const envURLPattern = /^NEOSYNC_URL_[A-Z0-9_]{1,64}$/;
const durationPattern = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/** validate returns one message per invalid field; empty means valid. */
export function validate(v: ConnectionFormValues, { requireName = true } = {}): ConnectionFormErrors {
  const e: ConnectionFormErrors = {};
  if (requireName && !namePattern.test(v.name)) {
    e.name = v.name ? "Use letters, digits, '.', '_' and '-', starting with a letter or digit (max 100)." : "Name is required.";
  }
  if (v.type === "s3") {
    validateBucket(v, e);
    return e;
  }
  if (v.mode === "env") {
    if (!envURLPattern.test(v.urlFromEnv.trim())) e.urlFromEnv = "Name a variable NEOSYNC_URL_… of upper-case letters, digits and '_'.";
  } else if (v.mode === "url") {
    const schemes = v.type === "postgres" ? ["postgres:", "postgresql:"] : ["mysql:"];
    if (!v.url.trim()) e.url = "URL is required.";
    else {
      try {
        const u = new URL(v.url.trim());
        if (!schemes.includes(u.protocol)) e.url = `URL must start with ${schemes.map((s) => s + "//").join(" or ")}.`;
        else if (!u.hostname) e.url = "URL needs a host.";
      } catch {
        e.url = "This is not a valid URL.";
      }
    }
  } else {
    if (!v.host.trim()) e.host = "Host is required.";
    const port = Number(v.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) e.port = "Port must be a number from 1 to 65535.";
    if (!v.database.trim()) e.database = "Database is required.";
    if (!v.user.trim()) e.user = "User is required.";
  }
  validateTunnel(v, e);
  for (const k of ["maxConnections", "maxIdleConnections"] as const) {
    if (v[k] && !(/^\d+$/.test(v[k]) && Number(v[k]) <= 10000)) e[k] = "A whole number up to 10000.";
  }
  for (const k of ["maxIdleDuration", "maxOpenDuration"] as const) {
    if (v[k] && !durationPattern.test(v[k])) e[k] = 'A duration such as "30s", "5m" or "1h".';
  }
  return e;
}

function optInt(s: string): number | undefined {
  return s ? Number(s) : undefined;
}
function optStr(s: string): string | undefined {
  return s ? s : undefined;
}

/** toConfig builds the ConnectionConfig the API expects from valid values. */
export function toConfig(v: ConnectionFormValues): ConnectionConfig {
  if (v.type === "s3") {
    const key = v.s3AccessKeyId.trim();
    return create(ConnectionConfigSchema, {
      config: {
        case: "awsS3Config",
        value: {
          bucket: v.s3Bucket.trim(),
          pathPrefix: optStr(v.s3Prefix.trim()),
          region: optStr(v.s3Region.trim()),
          endpoint: optStr(v.s3Endpoint.trim()),
          forcePathStyle: v.s3PathStyle,
          credentials: key ? { accessKeyId: key, secretAccessKey: v.s3SecretAccessKey } : undefined,
        },
      },
    });
  }
  const connectionOptions = {
    maxConnectionLimit: optInt(v.maxConnections),
    maxIdleConnections: optInt(v.maxIdleConnections),
    maxIdleDuration: optStr(v.maxIdleDuration),
    maxOpenDuration: optStr(v.maxOpenDuration),
  };
  if (v.type === "postgres") {
    return create(ConnectionConfigSchema, {
      config: {
        case: "pgConfig",
        value: {
          connectionConfig:
            v.mode === "env"
              ? { case: "urlFromEnv", value: v.urlFromEnv.trim() }
              : v.mode === "url"
              ? { case: "url", value: v.url.trim() }
              : {
                  case: "connection",
                  value: { host: v.host.trim(), port: Number(v.port), name: v.database.trim(), user: v.user.trim(), pass: v.password, sslMode: optStr(v.sslMode) },
                },
          connectionOptions,
          tunnel: tunnelConfig(v),
        },
      },
    });
  }
  return create(ConnectionConfigSchema, {
    config: {
      case: "mysqlConfig",
      value: {
        connectionConfig:
          v.mode === "env"
            ? { case: "urlFromEnv", value: v.urlFromEnv.trim() }
            : v.mode === "url"
            ? { case: "url", value: v.url.trim() }
            : { case: "connection", value: { host: v.host.trim(), port: Number(v.port), name: v.database.trim(), user: v.user.trim(), pass: v.password, protocol: "tcp" } },
        connectionOptions,
        tunnel: tunnelConfig(v),
      },
    },
  });
}

/** fromConfig fills the form from a stored (masked) connection. */
export function fromConfig(name: string, cfg: ConnectionConfig | undefined): ConnectionFormValues {
  const c = cfg?.config;
  const type: DbType = c?.case === "mysqlConfig" ? "mysql" : c?.case === "awsS3Config" ? "s3" : "postgres";
  const v = { ...emptyValues(type), name, sslMode: "" };
  if (c?.case === "awsS3Config") {
    const b = c.value;
    return {
      ...v,
      s3Bucket: b.bucket,
      s3Prefix: b.pathPrefix ?? "",
      s3Region: b.region ?? "",
      s3Endpoint: b.endpoint ?? "",
      s3PathStyle: b.forcePathStyle,
      s3AccessKeyId: b.credentials?.accessKeyId ?? "",
      s3SecretAccessKey: b.credentials?.secretAccessKey ?? "",
    };
  }
  if (c?.case !== "pgConfig" && c?.case !== "mysqlConfig") return v;
  const o = c.value.connectionOptions;
  v.maxConnections = o?.maxConnectionLimit?.toString() ?? "";
  v.maxIdleConnections = o?.maxIdleConnections?.toString() ?? "";
  v.maxIdleDuration = o?.maxIdleDuration ?? "";
  v.maxOpenDuration = o?.maxOpenDuration ?? "";
  const t = c.value.tunnel;
  if (t) {
    v.sshHost = t.host;
    v.sshPort = t.port ? String(t.port) : "";
    v.sshUser = t.user;
    v.sshAuth = t.auth.case === "password" ? "password" : "key";
    v.sshPrivateKey = t.auth.case === "privateKey" ? t.auth.value : "";
    v.sshPassword = t.auth.case === "password" ? t.auth.value : "";
    v.sshKnownHostKey = t.knownHostKey;
    v.sshInsecure = t.insecureSkipHostKeyCheck;
  }
  const cc = c.value.connectionConfig;
  if (cc.case === "url") {
    v.mode = "url";
    v.url = cc.value;
  } else if (cc.case === "urlFromEnv") {
    v.mode = "env";
    v.urlFromEnv = cc.value;
  } else if (cc.case === "connection") {
    v.mode = "fields";
    v.host = cc.value.host;
    v.port = String(cc.value.port || "");
    v.database = cc.value.name;
    v.user = cc.value.user;
    v.password = cc.value.pass;
    if ("sslMode" in cc.value) v.sslMode = cc.value.sslMode ?? "";
  }
  return v;
}

/** hasMaskedSecret reports whether the values still hold a stored secret as the API's mask (which only the saved connection can resolve). */
export function hasMaskedSecret(v: ConnectionFormValues): boolean {
  if (v.type === "s3") return v.s3SecretAccessKey === SECRET_MASK;
  const db = v.mode === "url" ? v.url.includes(SECRET_MASK) : v.mode === "fields" && v.password === SECRET_MASK;
  const ssh = v.sshHost.trim() !== "" && (v.sshAuth === "key" ? v.sshPrivateKey === SECRET_MASK : v.sshPassword === SECRET_MASK);
  return db || ssh;
}

/** connectionType names a stored connection's engine for lists. */
export function connectionType(cfg: ConnectionConfig | undefined): string {
  switch (cfg?.config.case) {
    case "pgConfig":
      return "PostgreSQL";
    case "mysqlConfig":
      return "MySQL";
    case "awsS3Config":
      return "S3";
    default:
      return "Unknown";
  }
}
