// End-to-end test of the web app's OIDC sign-in against a real OpenID
// Provider (zitadel/oidc's example OP, `make oidc-op`): the API runs with
// NEOSYNC_AUTH_MODE=oidc, the web app with the provider's confidential
// "web" client. In Chromium: a page without a session goes to /sign-in,
// which offers the identity provider; alice signs in on the provider's own
// login page and lands on the page she asked for, named in the shell, with
// an HTTP-only session cookie. Through the web app's /api proxy she creates
// a team account and invites bob as a job viewer; bob signs in in another
// browser, accepts, may read the team's connections but is refused
// (PermissionDenied) when he tries to create one, while alice may. Sign out
// closes the app again. Screenshots (oidc-*.png) go to e2e/screenshots/.
//
// Needs what e2e/run.mjs needs plus .bin/oidc-op/server (`make oidc-op`).

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { freePort, repoRoot, reportFailure, runCleanups, startStack, waitFor } from "./stack.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const appDir = resolve(here, "..");
const shots = join(here, "screenshots");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const OP = join(repoRoot, ".bin/oidc-op/server");
const started = Date.now();

function step(msg) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] oidc ${msg}`);
}

/** startProcess runs a command with its output in logDir/name.log, stopped by the returned cleanup. */
function startProcess(name, cmd, args, env, logDir) {
  const logPath = join(logDir, `${name}.log`);
  const p = spawn(cmd, args, { cwd: appDir, env, stdio: ["ignore", openSync(logPath, "w"), openSync(logPath, "a")] });
  p.logPath = logPath;
  const stop = () => new Promise((r) => (p.exitCode !== null ? r() : (p.once("exit", r), p.kill("SIGTERM"))));
  return { p, stop };
}

/** call makes a Connect JSON call from the page, through the web app's /api proxy and session. */
async function call(page, method, body) {
  return page.evaluate(
    async ([m, b]) => {
      const r = await fetch(`/api/mgmt.v1alpha1.${m}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(b) });
      return { status: r.status, body: await r.json().catch(() => ({})) };
    },
    [method, body],
  );
}

/** signIn goes through /sign-in and the provider's login page as username. */
async function signIn(page, username, path) {
  await page.goto(path);
  await page.waitForURL(/\/sign-in/);
  await page.getByRole("link", { name: "Sign in with your identity provider" }).click();
  await page.waitForURL(/\/login\/username/);
  await page.locator("#username").fill(username);
  await page.locator("#password").fill(`${username}-pw`);
  await page.locator("button[type=submit], input[type=submit]").first().click();
  await page.waitForURL((u) => u.pathname === path);
}

async function main() {
  if (!existsSync(join(appDir, ".next", "BUILD_ID"))) throw new Error("the app is not built: run `npm run build` first");
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
  if (!existsSync(OP)) throw new Error(`the OpenID Provider is not installed at ${OP}: run make oidc-op`);
  mkdirSync(shots, { recursive: true });
  const cleanups = [];
  let page;
  let failed = false;
  try {
    const opPort = await freePort();
    const webPort = await freePort();
    const appURL = `http://127.0.0.1:${webPort}`;
    const issuer = `http://localhost:${opPort}/`;
    const apiEnv = { NEOSYNC_AUTH_MODE: "oidc", NEOSYNC_OIDC_ISSUER: issuer, NEOSYNC_OIDC_AUDIENCE: "web,native", NEOSYNC_OIDC_CLI_CLIENT_ID: "native" };
    const stack = await startStack({ log: (m) => step(m), apiEnv, workerEnv: { NEOSYNC_AUTH_MODE: "oidc" } });
    cleanups.push(() => stack.stop());

    step(`starting the OpenID Provider at ${issuer}`);
    const users = {};
    for (const [id, name] of [["alice", "Alice Doe"], ["bob", "Bob Roe"]]) {
      const [first, last] = name.split(" ");
      users[`sub-${id}`] = { ID: `sub-${id}`, Username: id, Password: `${id}-pw`, FirstName: first, LastName: last, Email: `${id}@example.com`, EmailVerified: true, PreferredLanguage: "en" };
    }
    const usersFile = join(stack.logDir, "oidc-users.json");
    writeFileSync(usersFile, JSON.stringify(users));
    const op = startProcess("oidc-op", OP, [], { ...process.env, PORT: String(opPort), REDIRECT_URI: `${appURL}/auth/oidc/callback`, USERS_FILE: usersFile }, stack.logDir);
    cleanups.unshift(op.stop);
    await waitFor("OpenID Provider", async () => (await fetch(`${issuer}.well-known/openid-configuration`)).ok, 30, op.p);

    step(`starting the web app on ${appURL} with the provider's "web" client`);
    const web = startProcess("next", join(appDir, "node_modules/.bin/next"), ["start", "-p", String(webPort), "-H", "127.0.0.1"],
      { ...process.env, NEOSYNC_API_URL: stack.apiURL, NEXT_TELEMETRY_DISABLED: "1", NEOSYNC_OIDC_CLIENT_ID: "web", NEOSYNC_OIDC_CLIENT_SECRET: "secret" }, stack.logDir);
    cleanups.unshift(web.stop);
    await waitFor("web app", async () => (await fetch(`${appURL}/sign-in`)).ok, 60, web.p);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    cleanups.unshift(() => browser.close());
    const aliceCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: appURL });
    page = await aliceCtx.newPage();
    page.setDefaultTimeout(20_000);
    const shot = async (name, p = page) => {
      await p.waitForLoadState("networkidle").catch(() => {});
      await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
      step(`screenshot ${name}.png`);
    };

    step("alice: /connections → /sign-in → the provider's login page → back to /connections");
    await page.goto("/connections");
    await page.waitForURL(/\/sign-in\?next=%2Fconnections$/);
    await shot("oidc-01-sign-in");
    await signIn(page, "alice", "/connections");
    await page.getByTestId("account").getByText("Alice Doe").waitFor();
    await shot("oidc-02-signed-in");
    const cookie = (await aliceCtx.cookies()).find((c) => c.name === "neosync_session");
    if (!cookie || !cookie.httpOnly || cookie.sameSite !== "Lax") throw new Error(`session cookie: ${JSON.stringify(cookie)}`);
    if (await page.evaluate(() => document.cookie.includes("neosync_session"))) throw new Error("the session cookie is readable by scripts");

    step("alice makes a team account and invites bob as a job viewer");
    const team = await call(page, "UserAccountService/CreateTeamAccount", { name: "e2e-oidc-team" });
    if (team.status !== 200) throw new Error(`CreateTeamAccount: ${JSON.stringify(team)}`);
    const accountId = team.body.accountId;
    const invite = await call(page, "UserAccountService/InviteUserToTeamAccount", { accountId, email: "bob@example.com", role: "ACCOUNT_ROLE_JOB_VIEWER" });
    if (invite.status !== 200 || !invite.body.token) throw new Error(`invite: ${JSON.stringify(invite)}`);

    step("bob signs in in another browser, accepts, and may only read");
    const bobCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: appURL });
    const bob = await bobCtx.newPage();
    bob.setDefaultTimeout(20_000);
    await signIn(bob, "bob", "/connections");
    const accepted = await call(bob, "UserAccountService/AcceptTeamAccountInvite", { token: invite.body.token });
    if (accepted.status !== 200 || accepted.body.account?.role !== "ACCOUNT_ROLE_JOB_VIEWER") throw new Error(`accept: ${JSON.stringify(accepted)}`);
    const list = await call(bob, "ConnectionService/GetConnections", { accountId });
    if (list.status !== 200) throw new Error(`bob lists connections: ${JSON.stringify(list)}`);
    const conn = { accountId, name: "nope", connectionConfig: { pgConfig: { url: "postgres://u@db.example.com/app" } } };
    const refused = await call(bob, "ConnectionService/CreateConnection", conn);
    if (refused.status !== 403 || !/job viewer/.test(refused.body.message ?? "")) throw new Error(`bob creates a connection: ${JSON.stringify(refused)}, want 403 naming his role`);
    await shot("oidc-03-bob", bob);

    step("sign out closes the app again");
    const out = await page.evaluate(async () => (await fetch("/auth/session", { method: "DELETE" })).status);
    if (out !== 204) throw new Error(`sign out: HTTP ${out}`);
    await page.goto("/connections");
    await page.waitForURL(/\/sign-in/);
    step("passed");
  } catch (e) {
    failed = true;
    await reportFailure("oidc", e, page, join(shots, "oidc-failure.png"));
  } finally {
    await runCleanups(cleanups);
  }
  process.exit(failed ? 1 : 0);
}

main();
