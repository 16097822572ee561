// End-to-end test of S3 connections in the web app: a private backend
// (e2e/stack.mjs), a real S3-compatible server (versitygw from .bin/, posix
// backend in a temporary folder), the built Next app and the system Chromium.
// Creates an S3 connection in the form (bucket, prefix, endpoint, path-style,
// key id and secret), tests it against the server (a wrong secret is refused,
// the right one lists, writes and deletes a probe object), saves it, reopens it
// with the secret masked, edits the prefix and tests again with the masked
// secret kept. Screenshots (s3-*.png, 1280 and 390 px) go to e2e/screenshots/.
// Exits non-zero on failure.
//
// Needs what e2e/run.mjs needs plus .bin/versitygw (`make tools`).

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { apiCall, assertNoPageErrors, CHROMIUM, freePort, openPage, repoRoot, reportFailure, runCleanups, startStack, startWebApp, stepper, waitFor, watchPageErrors } from "./stack.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const appDir = resolve(here, "..");
const shots = join(here, "screenshots");
const step = stepper("s3");

const call = apiCall;

/** startVersity runs versitygw on a free loopback port with one bucket; credentials go through the environment. */
async function startVersity(logDir) {
  const bin = join(repoRoot, ".bin/versitygw");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`make tools\``);
  const root = mkdtempSync(join(tmpdir(), "neosync-s3-"));
  mkdirSync(join(root, "web-exports"));
  const port = await freePort();
  const s = { endpoint: `http://127.0.0.1:${port}`, accessKey: `neosync${randomBytes(4).toString("hex")}`, secretKey: randomBytes(20).toString("hex"), bucket: "web-exports", root };
  const proc = spawn(bin, ["--port", `127.0.0.1:${port}`, "--region", "us-east-1", "--quiet", "posix", "--nometa", root], {
    env: { ...process.env, ROOT_ACCESS_KEY: s.accessKey, ROOT_SECRET_KEY: s.secretKey },
    stdio: ["ignore", openSync(join(logDir, "versitygw.log"), "w"), openSync(join(logDir, "versitygw.err.log"), "w")],
  });
  s.stop = () =>
    new Promise((r) => {
      if (proc.exitCode !== null) return r();
      proc.once("exit", r);
      proc.kill("SIGTERM");
    }).then(() => rmSync(root, { recursive: true, force: true }));
  await waitFor("versitygw", async () => (await fetch(s.endpoint).catch(() => null)) !== null, 30, proc);
  return s;
}

async function main() {
  if (!existsSync(join(appDir, ".next", "BUILD_ID"))) throw new Error("the app is not built: run `npm run build` first");
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)`);
  mkdirSync(shots, { recursive: true });

  const cleanups = [];
  let failed = false;
  let page;
  try {
    step("starting Postgres databases, Temporal, API and worker");
    const stack = await startStack({ log: (m) => step(m) });
    cleanups.push(() => stack.stop());
    step("starting versitygw");
    const s3 = await startVersity(stack.logDir);
    cleanups.unshift(() => s3.stop());
    await call(stack.apiURL, "UserAccountService/SetPersonalAccount", {});

    step("starting the web app");
    const appURL = await startWebApp(stack, cleanups);
    step(`the web app is on ${appURL}`);
    page = await openPage(chromium, appURL, cleanups);
    page.setDefaultTimeout(20_000);
    const pageErrors = watchPageErrors(page);
    const shot = async (name) => {
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.waitForLoadState("networkidle").catch(() => {});
        await page.screenshot({ path: join(shots, `s3-${name}-${width}.png`), fullPage: true });
      }
      await page.setViewportSize({ width: 1280, height: 900 });
      step(`screenshot s3-${name}-{1280,390}.png`);
    };

    step("the form validates a bucket before testing it");
    await page.goto("/connections/new");
    await page.getByLabel("Name", { exact: true }).fill("web-bucket");
    await page.getByRole("radio", { name: /S3 bucket/ }).click();
    await page.getByLabel("Bucket", { exact: true }).fill("Web_Exports");
    await page.getByLabel("Access key ID", { exact: true }).fill(s3.accessKey);
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("3–63 lower-case letters, digits, '.' and '-'.").waitFor();
    await page.getByText("Give the secret with its access key id.").waitFor();
    await shot("01-new-validation");

    step("a wrong secret is refused by the server");
    await page.getByLabel("Bucket", { exact: true }).fill(s3.bucket);
    await page.getByLabel("Path prefix", { exact: true }).fill("team/a");
    await page.getByLabel("Endpoint", { exact: true }).fill(s3.endpoint);
    await page.getByLabel(/Path-style addressing/).check();
    await page.getByLabel("Secret access key", { exact: true }).fill("not-the-secret");
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("Could not connect").waitFor();
    const failure = (await page.getByRole("status").textContent()) ?? "";
    if (failure.includes("not-the-secret")) throw new Error(`the check's error shows the secret: ${failure}`);

    step("the right secret: listed, probe written and deleted; save");
    await page.getByLabel("Secret access key", { exact: true }).fill(s3.secretKey);
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText(/probe object written and deleted/).waitFor();
    await shot("02-new-tested");
    await page.getByRole("button", { name: "Save connection" }).click();
    await page.waitForURL(/\/connections\/[0-9a-f-]{36}$/);
    const id = page.url().split("/").pop();
    await page.getByRole("heading", { name: "web-bucket" }).waitFor();

    step("reopened: fields as saved, the secret masked");
    const secret = await page.getByLabel("Secret access key", { exact: true }).inputValue();
    if (secret !== "********") throw new Error(`the secret field holds ${JSON.stringify(secret)}, want the mask`);
    if ((await page.getByLabel("Bucket", { exact: true }).inputValue()) !== s3.bucket) throw new Error("the bucket was not kept");
    if (!(await page.getByLabel(/Path-style addressing/).isChecked())) throw new Error("path-style was not kept");
    await page.getByText("The stored secret is kept unless you replace it.").waitFor();
    await shot("03-detail-masked");

    step("edit the prefix; the masked secret is kept and still works");
    await page.getByLabel("Path prefix", { exact: true }).fill("team/b");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Changes saved.").waitFor();
    const got = await call(stack.apiURL, "ConnectionService/GetConnection", { id });
    const cfg = got.connection.connectionConfig.awsS3Config;
    if (cfg.pathPrefix !== "team/b" || cfg.bucket !== s3.bucket || cfg.credentials?.secretAccessKey !== "********") throw new Error(`stored config ${JSON.stringify(cfg)}`);
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText(/probe object written and deleted/).waitFor();
    await shot("04-detail-saved");

    step("the list names the type");
    await page.goto("/connections");
    await page.getByRole("link", { name: "web-bucket" }).waitFor();
    await shot("05-list");

    assertNoPageErrors(pageErrors);
    step("passed");
  } catch (e) {
    failed = true;
    await reportFailure("S3 E2E", e, page, join(shots, "s3-zz-failure.png"));
  } finally {
    await runCleanups(cleanups);
  }
  process.exit(failed ? 1 : 0);
}

main();
