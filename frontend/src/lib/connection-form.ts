// The connection form's model: plain values the inputs edit, validation with
// messages per field, and conversion to and from the API's ConnectionConfig.
// Kept free of React so it is easy to test.

import { create } from "@bufbuild/protobuf";
import { ConnectionConfigSchema, type ConnectionConfig } from "@/gen/mgmt/v1alpha1/connection_pb";

export type DbType = "postgres" | "mysql";
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
  };
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
  const type: DbType = c?.case === "mysqlConfig" ? "mysql" : "postgres";
  const v = { ...emptyValues(type), name, sslMode: "" };
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
