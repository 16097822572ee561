import { describe, expect, it, vi } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ConnectionService, type ConnectionConfig } from "@/gen/mgmt/v1alpha1/connection_pb";
import { emptyValues, fromConfig, toConfig, validate } from "@/lib/connection-form";
import { renderWithAPI } from "@/test/render";
import { ConnectionForm } from "./connection-form";

describe("connection form model", () => {
  it.each([
    ["empty name", { name: "" }, "name"],
    ["name with a space", { name: "my db" }, "name"],
    ["wrong URL scheme", { name: "a", url: "mysql://u@h/db" }, "url"],
    ["not a URL", { name: "a", url: "localhost:5432" }, "url"],
    ["bad port", { name: "a", mode: "fields", database: "d", user: "u", port: "70000" }, "port"],
    ["bad duration", { name: "a", url: "postgres://u@h/db", maxIdleDuration: "5 minutes" }, "maxIdleDuration"],
    ["env variable outside NEOSYNC_URL_", { name: "a", mode: "env", urlFromEnv: "DATABASE_URL" }, "urlFromEnv"],
  ] as const)("rejects %s", (_, patch, field) => {
    const errors = validate({ ...emptyValues("postgres"), ...patch });
    expect(errors[field]).toBeTruthy();
  });

  it("accepts a Postgres URL and fields, and round-trips fields with the masked password", () => {
    expect(validate({ ...emptyValues(), name: "prod", url: "postgresql://u:p@db:5432/app" })).toEqual({});
    const v = { ...emptyValues(), name: "prod", mode: "fields" as const, host: "db", database: "app", user: "u", password: "********", sslMode: "require", maxConnections: "10" };
    expect(validate(v)).toEqual({});
    const cfg = toConfig(v);
    expect(cfg.config.case).toBe("pgConfig");
    const back = fromConfig("prod", cfg);
    expect(back).toMatchObject({ mode: "fields", host: "db", port: "5432", database: "app", user: "u", password: "********", sslMode: "require", maxConnections: "10" });
  });

  it("requires a known host key for an SSH tunnel unless the check is skipped, and round-trips it", () => {
    const base = { ...emptyValues(), name: "prod", url: "postgres://u@db.internal/app", sshHost: "bastion", sshUser: "ops", sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n" };
    expect(validate(base).sshKnownHostKey).toBeTruthy();
    expect(validate({ ...base, sshInsecure: true })).toEqual({});
    const v = { ...base, sshKnownHostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl" };
    expect(validate(v)).toEqual({});
    const cfg = toConfig(v);
    const tunnel = cfg.config.case === "pgConfig" ? cfg.config.value.tunnel : undefined;
    expect(tunnel).toMatchObject({ host: "bastion", user: "ops", auth: { case: "privateKey" }, insecureSkipHostKeyCheck: false });
    expect(fromConfig("prod", cfg)).toMatchObject({ sshHost: "bastion", sshUser: "ops", sshAuth: "key", sshKnownHostKey: v.sshKnownHostKey });
    const direct = toConfig({ ...emptyValues(), name: "direct", url: "postgres://u@h/db" });
    expect(direct.config.case === "pgConfig" ? direct.config.value.tunnel : "not pg").toBeUndefined();
  });

  it("round-trips a URL read from the worker's environment", () => {
    const v = { ...emptyValues("mysql"), name: "orders", mode: "env" as const, urlFromEnv: "NEOSYNC_URL_ORDERS" };
    expect(validate(v)).toEqual({});
    const cfg = toConfig(v);
    expect(cfg.config.case === "mysqlConfig" && cfg.config.value.connectionConfig).toEqual({ case: "urlFromEnv", value: "NEOSYNC_URL_ORDERS" });
    expect(fromConfig("orders", cfg)).toMatchObject({ type: "mysql", mode: "env", urlFromEnv: "NEOSYNC_URL_ORDERS" });
  });
});

describe("S3 connections", () => {
  it.each([
    ["an upper-case bucket", { s3Bucket: "Exports" }, "s3Bucket"],
    ["a prefix ending in /", { s3Bucket: "exports", s3Prefix: "team/" }, "s3Prefix"],
    ["an endpoint without scheme", { s3Bucket: "exports", s3Endpoint: "minio:9000" }, "s3Endpoint"],
    ["a key id without secret", { s3Bucket: "exports", s3AccessKeyId: "AKIA" }, "s3SecretAccessKey"],
    ["a bad region", { s3Bucket: "exports", s3Region: "EU West" }, "s3Region"],
  ] as const)("rejects %s", (_, patch, field) => {
    expect(validate({ ...emptyValues("s3"), name: "b", ...patch })[field]).toBeTruthy();
  });

  it("round-trips a bucket with its secret masked, and keeps anonymous access without credentials", () => {
    const v = { ...emptyValues("s3"), name: "exports", s3Bucket: "exports", s3Prefix: "team/a", s3Endpoint: "http://127.0.0.1:7070", s3PathStyle: true, s3AccessKeyId: "AKIA1", s3SecretAccessKey: "********" };
    expect(validate(v)).toEqual({});
    const cfg = toConfig(v);
    expect(cfg.config.case).toBe("awsS3Config");
    if (cfg.config.case !== "awsS3Config") throw new Error("unreachable");
    expect(cfg.config.value).toMatchObject({ bucket: "exports", pathPrefix: "team/a", endpoint: "http://127.0.0.1:7070", forcePathStyle: true, credentials: { accessKeyId: "AKIA1", secretAccessKey: "********" } });
    expect(cfg.config.value.region).toBeUndefined();
    expect(fromConfig("exports", cfg)).toMatchObject({ type: "s3", s3Bucket: "exports", s3Prefix: "team/a", s3PathStyle: true, s3AccessKeyId: "AKIA1", s3SecretAccessKey: "********" });
    const anon = toConfig({ ...emptyValues("s3"), name: "public", s3Bucket: "public-data" });
    expect(anon.config.case === "awsS3Config" && anon.config.value.credentials).toBeUndefined();
  });

  it("tests and saves a bucket from the form", async () => {
    const onSave = vi.fn<(name: string, c: ConnectionConfig) => void>();
    renderWithAPI(<ConnectionForm onSave={onSave} />, (r) =>
      r.service(ConnectionService, {
        checkConnectionConfig: (req) => {
          expect(req.connectionConfig?.config.case).toBe("awsS3Config");
          return { isConnected: true, privileges: [] };
        },
      }),
    );
    await userEvent.type(screen.getByLabelText("Name"), "exports");
    await userEvent.click(screen.getByRole("radio", { name: /S3 bucket/ }));
    expect(screen.queryByRole("tab", { name: "Connection URL" })).not.toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Bucket"), "exports");
    await userEvent.type(screen.getByLabelText("Endpoint"), "http://127.0.0.1:7070");
    await userEvent.click(screen.getByLabelText(/Path-style/));
    await userEvent.type(screen.getByLabelText("Access key ID"), "AKIA1");
    await userEvent.click(screen.getByRole("button", { name: "Save connection" }));
    expect(screen.getByText("Give the secret with its access key id.")).toBeInTheDocument();
    expect(onSave).not.toHaveBeenCalled();
    await userEvent.type(screen.getByLabelText("Secret access key"), "s3cr3t");
    await userEvent.click(screen.getByRole("button", { name: "Test connection" }));
    await waitFor(() => expect(screen.getByText(/probe object written and deleted/)).toBeInTheDocument());
    await userEvent.click(screen.getByRole("button", { name: "Save connection" }));
    expect(onSave).toHaveBeenCalledTimes(1);
    const [, cfg] = onSave.mock.calls[0];
    if (cfg.config.case !== "awsS3Config") throw new Error("not a bucket");
    expect(cfg.config.value).toMatchObject({ bucket: "exports", forcePathStyle: true, credentials: { accessKeyId: "AKIA1", secretAccessKey: "s3cr3t" } });
  });
});

describe("testing a saved connection with masked secrets", () => {
  it("checks the stored config by id while unchanged, and asks to save or re-enter the secret once edited", async () => {
    const byId = vi.fn(() => ({ isConnected: true, privileges: [] }));
    const byConfig = vi.fn(() => ({ isConnected: false, connectionError: "should not be called" }));
    const stored = toConfig({ ...emptyValues("s3"), name: "b", s3Bucket: "exports", s3AccessKeyId: "AKIA1", s3SecretAccessKey: "********" });
    renderWithAPI(<ConnectionForm isEdit connectionId="c-1" initial={fromConfig("b", stored)} onSave={() => {}} />, (r) =>
      r.service(ConnectionService, { checkConnectionConfigById: byId, checkConnectionConfig: byConfig }),
    );
    await userEvent.click(screen.getByRole("button", { name: "Test connection" }));
    await waitFor(() => expect(screen.getByText(/probe object written and deleted/)).toBeInTheDocument());
    expect(byId).toHaveBeenCalledTimes(1);
    await userEvent.type(screen.getByLabelText("Path prefix"), "team");
    await userEvent.click(screen.getByRole("button", { name: "Test connection" }));
    await waitFor(() => expect(screen.getByText(/save it first, or re-enter the secret/)).toBeInTheDocument());
    await userEvent.clear(screen.getByLabelText("Secret access key"));
    await userEvent.type(screen.getByLabelText("Secret access key"), "s3cr3t");
    await userEvent.click(screen.getByRole("button", { name: "Test connection" }));
    await waitFor(() => expect(byConfig).toHaveBeenCalledTimes(1));
    expect(byId).toHaveBeenCalledTimes(1);
  });
});

describe("ConnectionForm", () => {
  it("shows field errors instead of saving invalid input", async () => {
    const onSave = vi.fn();
    renderWithAPI(<ConnectionForm onSave={onSave} />);
    await userEvent.click(screen.getByRole("button", { name: "Save connection" }));
    expect(screen.getByText("Name is required.")).toBeInTheDocument();
    expect(screen.getByText("URL is required.")).toBeInTheDocument();
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(onSave).not.toHaveBeenCalled();
  });

  it("switches between URL and fields and saves a MySQL config from fields", async () => {
    const onSave = vi.fn<(name: string, c: ConnectionConfig) => void>();
    renderWithAPI(<ConnectionForm onSave={onSave} />);
    await userEvent.type(screen.getByLabelText("Name"), "warehouse");
    await userEvent.click(screen.getByRole("radio", { name: /MySQL/ }));
    await userEvent.click(screen.getByRole("tab", { name: "Host and credentials" }));
    expect(screen.queryByLabelText("Connection URL")).not.toBeInTheDocument();
    expect(screen.getByLabelText("Port")).toHaveValue("3306");
    expect(screen.queryByLabelText("SSL mode")).not.toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Database"), "shop");
    await userEvent.type(screen.getByLabelText("User"), "root");
    await userEvent.click(screen.getByRole("button", { name: "Save connection" }));
    expect(onSave).toHaveBeenCalledTimes(1);
    const [name, cfg] = onSave.mock.calls[0];
    expect(name).toBe("warehouse");
    expect(cfg.config.case).toBe("mysqlConfig");
    if (cfg.config.case !== "mysqlConfig") throw new Error("unreachable");
    expect(cfg.config.value.connectionConfig).toMatchObject({ case: "connection", value: { host: "127.0.0.1", port: 3306, name: "shop", user: "root" } });
  });

  it("tests the connection and lists privileges", async () => {
    renderWithAPI(<ConnectionForm onSave={() => {}} />, (r) =>
      r.service(ConnectionService, {
        checkConnectionConfig: (req) => {
          expect(req.connectionConfig?.config.case).toBe("pgConfig");
          return { isConnected: true, privileges: [{ grantee: "app", schema: "public", table: "users", privilegeType: ["SELECT", "INSERT"] }] };
        },
      }),
    );
    await userEvent.type(screen.getByLabelText("Connection URL"), "postgres://app@127.0.0.1/app");
    await userEvent.click(screen.getByRole("button", { name: "Test connection" }));
    await waitFor(() => expect(screen.getByText("Connected")).toBeInTheDocument());
    expect(screen.getByText("users")).toBeInTheDocument();
    expect(screen.getByText("INSERT")).toBeInTheDocument();
  });

  it("shows a failed check's error", async () => {
    renderWithAPI(<ConnectionForm onSave={() => {}} />, (r) =>
      r.service(ConnectionService, { checkConnectionConfig: () => ({ isConnected: false, connectionError: "password authentication failed" }) }),
    );
    await userEvent.type(screen.getByLabelText("Connection URL"), "postgres://app@127.0.0.1/app");
    await userEvent.click(screen.getByRole("button", { name: "Test connection" }));
    await waitFor(() => expect(screen.getByText("Could not connect")).toBeInTheDocument());
    expect(screen.getByText("password authentication failed")).toBeInTheDocument();
  });
});
