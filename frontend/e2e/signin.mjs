// End-to-end test of the web app in API-key mode, with compose.yml's
// settings: the API and worker get the literal environment compose.yml gives
// them (NEOSYNC_AUTH_MODE=apikey, the multi-account deny list, JS bounds),
// read from the file, except the addresses, database and keys this private
// stack owns. The web app runs as compose runs it (no
// NEOSYNC_WEB_SESSION_SECRET). With a key made by `neosync-api apikey
// create`, it checks: a page without a session goes to /sign-in; a wrong
// key, a worker key and an empty field each get a readable error; the right
// key lands on the page asked for, the session cookie is HTTP-only and
// SameSite=Lax and not readable by scripts; the shell names the account and
// the key; a write (a new API key) goes through; the /api proxy refuses a
// browser without a session; sign out leads to /sign-in and keeps the app
// closed. Screenshots (signin-*.png) at 1280 and 390 px go to
// e2e/screenshots/. Exits non-zero on failure.
//
// Needs what e2e/run.mjs needs: `npm run build`, `make build`, .bin/temporal,
// Postgres on 127.0.0.1:5432 and Chromium at $CHROMIUM.

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { freePort, repoRoot, reportFailure, runCleanups, startStack, waitFor } from "./stack.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const appDir = resolve(here, "..");
const shots = join(here, "screenshots");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const started = Date.now();

function step(msg) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] signin ${msg}`);
}

// Variables a private stack sets itself: where things listen and live, and
// its own keys. Everything else compose.yml sets literally is used as is.
const STACK_OWNED = new Set(["NEOSYNC_DB_URL", "NEOSYNC_LISTEN_ADDR", "NEOSYNC_ENCRYPTION_KEY", "NEOSYNC_API_URL", "NEOSYNC_API_KEY", "TEMPORAL_URL", "DB_AUTO_MIGRATE"]);

/**
 * composeEnv reads the literal `environment:` entries of one service in
 * compose.yml (two-space service indent, KEY: value lines), skipping
 * interpolated values (${…}) and the variables the stack owns.
 */
export function composeEnv(service) {
  const lines = readFileSync(join(repoRoot, "compose.yml"), "utf8").split("\n");
  const env = {};
  let inService = false;
  let inEnv = false;
  for (const line of lines) {
    if (/^ {2}\S/.test(line)) inService = line.trim() === `${service}:`;
    if (!inService) continue;
    if (/^ {4}\S/.test(line)) inEnv = line.trim() === "environment:";
    const m = inEnv && line.match(/^ {6}([A-Z0-9_]+):\s*(.*)$/);
    if (!m || STACK_OWNED.has(m[1]) || m[2].includes("${")) continue;
    env[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
  }
  if (!Object.keys(env).length) throw new Error(`compose.yml: no environment found for service ${service}`);
  return env;
}

/** expectText fails unless the locator's text matches re. */
async function expectText(locator, re, what) {
  await locator.waitFor();
  const text = (await locator.textContent()) ?? "";
  if (!re.test(text)) throw new Error(`${what}: got ${JSON.stringify(text)}, want ${re}`);
}

async function main() {
  if (!existsSync(join(appDir, ".next", "BUILD_ID"))) throw new Error("the app is not built: run `npm run build` first");
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)`);
  mkdirSync(shots, { recursive: true });

  const cleanups = [];
  let failed = false;
  let page;
  try {
    const apiEnv = composeEnv("api");
    const workerEnv = composeEnv("worker");
    if (apiEnv.NEOSYNC_AUTH_MODE !== "apikey") throw new Error(`compose.yml runs the API with NEOSYNC_AUTH_MODE=${apiEnv.NEOSYNC_AUTH_MODE}; this test is for apikey`);
    step(`starting a stack with compose.yml's settings: ${Object.entries(apiEnv).map(([k, v]) => `${k}=${v}`).join(" ")}`);
    const stack = await startStack({ log: (m) => step(m), apiEnv, workerEnv });
    cleanups.push(() => stack.stop());
    const apikey = (...args) => execFileSync(join(repoRoot, "bin/neosync-api"), ["apikey", "create", ...args], { env: { ...process.env, ...stack.apiEnv }, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const accountKey = apikey("-account", "e2e-team", "-name", "e2e-browser");
    const workerKey = apikey("-worker", "-name", "e2e-signin-worker");

    const port = await freePort();
    const appURL = `http://127.0.0.1:${port}`;
    step(`starting the web app on ${appURL} (compose's frontend environment: no NEOSYNC_WEB_SESSION_SECRET)`);
    const webEnv = { ...process.env, NEOSYNC_API_URL: stack.apiURL, NEXT_TELEMETRY_DISABLED: "1" };
    delete webEnv.NEOSYNC_WEB_SESSION_SECRET;
    const nextLog = join(stack.logDir, "next.log");
    const nextFd = openSync(nextLog, "w");
    const next = spawn(join(appDir, "node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: appDir,
      env: webEnv,
      stdio: ["ignore", nextFd, nextFd],
    });
    next.logPath = nextLog;
    cleanups.unshift(() => new Promise((r) => (next.exitCode !== null ? r() : (next.once("exit", r), next.kill("SIGTERM")))));
    await waitFor("web app", async () => (await fetch(`${appURL}/sign-in`)).ok, 60, next);

    step("the /api proxy without a session: the API's Unauthenticated comes through");
    const bare = await fetch(`${appURL}/api/mgmt.v1alpha1.UserAccountService/GetUserAccounts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    if (bare.status !== 401) throw new Error(`GetUserAccounts without a session: HTTP ${bare.status}, want 401`);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    cleanups.unshift(() => browser.close());
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: appURL });
    page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    const pageErrors = [];
    const refused = [];
    const watch = (p) => {
      p.on("pageerror", (e) => pageErrors.push(e.message));
      p.on("console", (m) => m.type() === "error" && pageErrors.push(`console: ${m.text()}`));
      p.on("response", (r) => r.status() >= 400 && refused.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`));
    };
    watch(page);
    const shot = async (name, p = page) => {
      await p.waitForLoadState("networkidle").catch(() => {});
      await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
      step(`screenshot ${name}.png`);
    };

    step("a page without a session goes to /sign-in and comes back after it");
    await page.goto("/connections");
    await page.waitForURL(/\/sign-in\?next=%2Fconnections$/);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.getByText("This Neosync API requires an API key. Sign in to continue.").waitFor();
    if (await page.getByRole("navigation", { name: "Main" }).count()) throw new Error("the sign-in page shows the app's navigation");
    await shot("signin-01-page");

    step("readable errors: empty, wrong key, worker key");
    const keyInput = page.getByLabel("API key");
    const alert = page.locator("#api-key-error");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expectText(alert, /^Enter an API key\.$/, "empty key");
    await keyInput.fill("neo_ak_this-key-does-not-exist");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expectText(alert, /did not accept this key: it is unknown, expired or revoked/, "wrong key");
    if ((await keyInput.getAttribute("aria-invalid")) !== "true") throw new Error("the key field is not marked invalid after a refused key");
    await shot("signin-02-wrong-key");
    await keyInput.fill(workerKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expectText(alert, /worker key/, "worker key");
    if ((await ctx.cookies()).some((c) => c.name === "neosync_session")) throw new Error("a refused sign-in set a session cookie");

    step("sign in with the account key: back to /connections");
    await keyInput.fill(accountKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/connections$/);
    await page.getByText("No connections yet").waitFor();
    const account = page.getByTestId("account").first();
    await account.getByText("e2e-team", { exact: true }).waitFor();
    await account.getByText("API key: e2e-browser", { exact: true }).waitFor();
    await shot("signin-03-connections");

    step("the session cookie: HTTP-only, SameSite=Lax, sealed, invisible to scripts");
    const cookie = (await ctx.cookies()).find((c) => c.name === "neosync_session");
    if (!cookie) throw new Error("no neosync_session cookie after sign-in");
    if (!cookie.httpOnly || cookie.sameSite !== "Lax" || cookie.secure || cookie.path !== "/") {
      throw new Error(`session cookie attributes: ${JSON.stringify({ httpOnly: cookie.httpOnly, sameSite: cookie.sameSite, secure: cookie.secure, path: cookie.path })}`);
    }
    if (cookie.value.includes(accountKey) || cookie.value.includes(accountKey.slice(7, 20))) throw new Error("the cookie holds the key in the clear");
    if ((await page.evaluate(() => document.cookie)).includes("neosync_session")) throw new Error("client script can read the session cookie");
    const sessionJSON = await page.evaluate(() => fetch("/auth/session").then((r) => r.text()));
    if (!sessionJSON.includes('"signedIn":true') || sessionJSON.includes(accountKey)) throw new Error(`GET /auth/session: ${sessionJSON}`);

    step("pages and a write work through the proxy: settings lists the account's keys, a new key is made");
    await page.getByRole("link", { name: "Jobs" }).first().click();
    await page.getByText("No jobs yet").waitFor();
    await page.goto("/settings");
    await page.getByRole("cell", { name: "e2e-browser", exact: true }).waitFor();
    await page.getByLabel("New key name").fill("e2e-second");
    await page.getByRole("button", { name: "Create key" }).click();
    const secondKey = (await page.getByTestId("new-key").textContent())?.trim();
    if (!secondKey?.startsWith("neo_ak_")) throw new Error(`the new key was not shown: ${secondKey}`);

    step("sign out: back to /sign-in, and the app stays closed");
    await page.getByRole("button", { name: "Sign out" }).first().click();
    await page.waitForURL(/\/sign-in\?signed_out=1$/);
    await page.getByText("You are signed out.").waitFor();
    if ((await ctx.cookies()).some((c) => c.name === "neosync_session")) throw new Error("sign out left the session cookie");
    await page.goto("/jobs");
    await page.waitForURL(/\/sign-in\?next=%2Fjobs$/);

    step("the key made in the app signs in too, and returns to the page asked for");
    await page.getByLabel("API key").fill(secondKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/jobs$/);
    await page.getByTestId("account").first().getByText("API key: e2e-second", { exact: true }).waitFor();

    step("a phone-sized browser: sign-in page, error, signed-in drawer with Sign out");
    const phoneCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, baseURL: appURL });
    const m = await phoneCtx.newPage();
    m.setDefaultTimeout(20_000);
    watch(m);
    await m.goto("/runs");
    await m.waitForURL(/\/sign-in\?next=%2Fruns$/);
    await shot("signin-04-mobile-page", m);
    await m.getByLabel("API key").fill("neo_ak_wrong");
    await m.getByRole("button", { name: "Sign in" }).click();
    await m.locator("#api-key-error").waitFor();
    await shot("signin-05-mobile-wrong-key", m);
    await m.getByLabel("API key").fill(accountKey);
    await m.getByRole("button", { name: "Sign in" }).click();
    await m.waitForURL(/\/runs$/);
    await m.getByRole("button", { name: "Open menu" }).click();
    await m.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Sign out" }).waitFor();
    await shot("signin-06-mobile-drawer", m);
    await phoneCtx.close();

    if (!readFileSync(nextLog, "utf8").includes("NEOSYNC_WEB_SESSION_SECRET is not set")) throw new Error("the web app did not warn that sessions end at restart");
    // Chromium logs every refused load as a console error; which loads were
    // refused is checked instead: the API's 401 before sign-in, the session
    // route's 401/403 for the wrong and the worker key, and the favicon this
    // app does not have.
    const expected = /^(401 POST \/api\/mgmt\.v1alpha1\.\w+\/\w+|40[13] POST \/auth\/session|404 GET \/favicon\.ico)$/;
    const unexpected = refused.filter((r) => !expected.test(r));
    if (unexpected.length) throw new Error(`unexpected refused loads:\n  ${unexpected.join("\n  ")}`);
    if (!refused.some((r) => r.startsWith("401 POST /api/"))) throw new Error("no page was refused by the API before sign-in: is the API in apikey mode?");
    const real = pageErrors.filter((e) => !/Failed to load resource/.test(e));
    if (real.length) throw new Error(`the browser reported errors:\n  ${real.join("\n  ")}`);
    step(`passed: ${readdirSync(shots).filter((f) => f.startsWith("signin-")).length} screenshots in ${shots}`);
  } catch (e) {
    failed = true;
    await reportFailure("E2E (sign-in)", e, page, join(shots, "zz-signin-failure.png"));
  } finally {
    await runCleanups(cleanups);
  }
  process.exit(failed ? 1 : 0);
}

main();
