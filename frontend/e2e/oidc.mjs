// End-to-end test of the web app's OIDC sign-in and team pages against a
// real OpenID Provider (zitadel/oidc's example OP, `make oidc-op`): the API
// runs with NEOSYNC_AUTH_MODE=oidc, the web app with the provider's
// confidential "web" client. In Chromium: a page without a session goes to
// /sign-in, which offers the identity provider; alice signs in on the
// provider's own login page and lands on the page she asked for, named in
// the shell, with an HTTP-only session cookie holding a refresh token.
//
// Token refresh: the provider fixes ID tokens at one hour, too long to wait
// for, so the test opens alice's sealed cookie with the web app's secret
// (an independent reader of its format), marks the ID token as expired and
// seals it again; five concurrent API calls then all succeed, sharing one
// refresh at the provider (which rotates refresh tokens), and the cookie
// they get back holds a newer ID token and a new refresh token.
//
// Teams through the web pages: alice creates a team with the account
// switcher, invites bob as a job viewer on the Team page (the link is shown
// once); bob signs in in another browser (390 px), opens the link, accepts,
// and finds the team's write buttons disabled with a sentence naming his
// role — and the API refuses the write anyway (PermissionDenied). alice's
// audit trail lists the invitation and the acceptance. Sign out clears the
// cookie and revokes the refresh token at the provider. Screenshots
// (oidc-*.png) go to e2e/screenshots/.
//
// Needs what e2e/run.mjs needs plus .bin/oidc-op/server (`make oidc-op`).

import { spawn } from "node:child_process";
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
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

const SESSION_SECRET = randomBytes(32).toString("hex");
const sealKey = Buffer.from(hkdfSync("sha256", SESSION_SECRET, "neosync-web-session", "v1", 32));
const AAD = Buffer.from("neosync_session v1");

/** openSession reads the web app's sealed session cookie (v1: AES-256-GCM under an HKDF-SHA256 key of the secret). */
function openSession(token) {
  const raw = Buffer.from(token.slice(3), "base64url");
  const d = createDecipheriv("aes-256-gcm", sealKey, raw.subarray(0, 12));
  d.setAAD(AAD);
  d.setAuthTag(raw.subarray(raw.length - 16));
  return JSON.parse(Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString("utf8"));
}

/** sealSession seals fields as the web app does. */
function sealSession(fields) {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", sealKey, iv);
  c.setAAD(AAD);
  const body = Buffer.concat([c.update(JSON.stringify(fields), "utf8"), c.final()]);
  return `v1.${Buffer.concat([iv, body, c.getAuthTag()]).toString("base64url")}`;
}

/** jwtClaims reads a JWT's payload. */
const jwtClaims = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));

/** sessionCookie returns the context's session cookie. */
async function sessionCookie(ctx) {
  return (await ctx.cookies()).find((c) => c.name === "neosync_session");
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
      { ...process.env, NEOSYNC_API_URL: stack.apiURL, NEXT_TELEMETRY_DISABLED: "1", NEOSYNC_OIDC_CLIENT_ID: "web", NEOSYNC_OIDC_CLIENT_SECRET: "secret", NEOSYNC_WEB_SESSION_SECRET: SESSION_SECRET }, stack.logDir);
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

    step("token refresh: the ID token marked expired is refreshed once for five concurrent calls");
    const before = openSession(cookie.value);
    if (!before.r || !before.t || before.s !== issuer) throw new Error(`the session holds no refresh token: ${JSON.stringify({ ...before, k: "…", r: before.r ? "…" : before.r })}`);
    if (before.e - before.i < 11 * 3600) throw new Error(`a refreshable session should last 12 h, lasts ${before.e - before.i}s`);
    await new Promise((r) => setTimeout(r, 1500)); // a later iat
    await aliceCtx.addCookies([{ ...cookie, value: sealSession({ ...before, t: Math.floor(Date.now() / 1000) - 5 }) }]);
    const calls = await page.evaluate(async () =>
      Promise.all(
        Array.from({ length: 5 }, () =>
          fetch("/api/mgmt.v1alpha1.UserAccountService/GetUser", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }).then((r) => r.status),
        ),
      ),
    );
    if (calls.some((c) => c !== 200)) throw new Error(`calls with an expired ID token: ${calls}, want all 200`);
    const after = openSession((await sessionCookie(aliceCtx)).value);
    if (after.k === before.k || jwtClaims(after.k).iat <= jwtClaims(before.k).iat) throw new Error("the ID token was not refreshed");
    if (after.t <= Math.floor(Date.now() / 1000) + 60) throw new Error(`the refreshed token expires at ${after.t}`);
    if (after.e !== before.e || after.i !== before.i) throw new Error("a refresh must not lengthen the session");
    step(`refreshed: iat ${jwtClaims(before.k).iat} → ${jwtClaims(after.k).iat}, refresh token ${after.r === before.r ? "kept" : "rotated"}`);
    const again = await call(page, "UserAccountService/GetUser", {});
    if (again.status !== 200 || again.body.user?.displayName !== "Alice Doe") throw new Error(`GetUser after the refresh: ${JSON.stringify(again)}`);

    step("alice creates a team with the account switcher");
    await page.getByLabel("Account", { exact: true }).selectOption({ label: "+ Create a team…" });
    await page.waitForURL(/\/team\/new$/);
    await page.getByLabel("Team name", { exact: true }).fill("e2e-oidc-team");
    await page.getByRole("button", { name: "Create team" }).click();
    await page.waitForURL(/\/team$/);
    await page.getByRole("heading", { name: "Invitations" }).waitFor();
    const accounts = await call(page, "UserAccountService/GetUserAccounts", {});
    const accountId = accounts.body.accounts?.find((a) => a.name === "e2e-oidc-team")?.id;
    if (!accountId) throw new Error(`the team is not among alice's accounts: ${JSON.stringify(accounts.body)}`);
    if ((await page.getByLabel("Account", { exact: true }).inputValue()) !== accountId) throw new Error("the switcher did not switch to the new team");

    step("alice invites bob as a job viewer on the Team page");
    await page.getByLabel("Email", { exact: true }).fill("bob@example.com");
    await page.getByLabel("Role", { exact: true }).selectOption({ label: "job viewer" });
    await page.getByLabel("Expires in", { exact: true }).selectOption({ label: "7 days" });
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    const link = (await page.getByTestId("invite-link").textContent())?.trim();
    if (!link || !link.startsWith(`${appURL}/invitations#token=`)) throw new Error(`invite link: ${link}`);
    await page.getByRole("cell", { name: "pending" }).waitFor();
    await shot("oidc-03-team-invite");

    step("bob signs in in another browser, opens the link and accepts");
    const bobCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: appURL });
    const bob = await bobCtx.newPage();
    bob.setDefaultTimeout(20_000);
    await signIn(bob, "bob", "/connections");
    await bob.goto(link);
    // The page reads the fragment once it has hydrated.
    await bob.waitForFunction(() => document.querySelector("#invite-token")?.value, null, { timeout: 20_000 }).catch(() => {
      throw new Error("the link did not fill in the token");
    });
    const filled = await bob.getByLabel("Invitation token", { exact: true }).inputValue();
    if (!link.endsWith(`#token=${encodeURIComponent(filled)}`)) throw new Error(`the link filled in ${filled}`);
    await bob.getByRole("button", { name: "Accept invitation" }).click();
    await bob.getByText("You joined e2e-oidc-team as job viewer").waitFor();
    if (bob.url().includes("token=")) throw new Error("the spent token stayed in the address bar");
    await shot("oidc-04-bob-accepted", bob);

    step("bob sees the team's write buttons disabled, saying why");
    await bob.goto("/connections");
    const newConn = bob.getByRole("button", { name: "New connection" }).first();
    await newConn.waitFor();
    if (!(await newConn.isDisabled())) throw new Error("New connection is enabled for a job viewer");
    const why = await newConn.getAttribute("title");
    if (!/job viewer/.test(why ?? "") || !/job developer/.test(why ?? "")) throw new Error(`the disabled button says: ${why}`);
    const note = await bob.getByTestId("role-note").textContent();
    if (!note?.includes("Your role in e2e-oidc-team is job viewer")) throw new Error(`role note: ${note}`);
    await shot("oidc-05-bob-viewer", bob);
    const conn = { accountId, name: "nope", connectionConfig: { pgConfig: { url: "postgres://u@db.example.com/app" } } };
    const refused = await call(bob, "ConnectionService/CreateConnection", conn);
    if (refused.status !== 403 || !/job viewer/.test(refused.body.message ?? "")) throw new Error(`bob creates a connection: ${JSON.stringify(refused)}, want 403 naming his role`);
    await bob.goto("/team");
    const bobRole = bob.getByLabel("Role of Bob Roe", { exact: true });
    await bobRole.waitFor();
    if (!(await bobRole.isDisabled())) throw new Error("a job viewer may change roles on the Team page");
    await shot("oidc-05b-bob-team", bob);
    await bob.goto("/audit");
    await bob.getByTestId("role-note").getByText("read the audit trail").waitFor();
    await bob.goto("/jobs/new");
    await bob.getByTestId("role-note").getByText("create, change or delete jobs").waitFor();

    step("alice's Team page lists bob; her audit trail lists the invitation and the acceptance");
    await page.goto("/team");
    await page.getByRole("cell", { name: /^Bob Roe/ }).waitFor();
    await page.getByRole("cell", { name: "accepted" }).waitFor();
    await page.goto("/audit");
    await page.getByTestId("audit-event").first().waitFor();
    const rows = await page.getByTestId("audit-event").allTextContents();
    if (!rows.some((r) => r.includes("Alice Doe") && r.includes("invite") && r.includes("InviteUserToTeamAccount"))) throw new Error(`no invite event: ${rows.join(" | ")}`);
    if (!rows.some((r) => r.includes("Bob Roe") && r.includes("accept"))) throw new Error(`no accept event: ${rows.join(" | ")}`);
    await page.getByLabel("Action", { exact: true }).selectOption("accept");
    const accepts = await page.getByTestId("audit-event").allTextContents();
    if (accepts.length !== 1 || !accepts[0].includes("Bob Roe")) throw new Error(`filtered by accept: ${accepts.join(" | ")}`);
    await page.getByLabel("Action", { exact: true }).selectOption("");
    await shot("oidc-06-audit");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot("oidc-07-audit-390");
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto("/team");
    await page.getByRole("cell", { name: /^Bob Roe/ }).waitFor();
    await shot("oidc-08-team");

    step("sign out clears the cookie and revokes the refresh token at the provider");
    const last = openSession((await sessionCookie(aliceCtx)).value);
    await page.getByRole("button", { name: "Sign out" }).first().click();
    await page.waitForURL(/\/sign-in/);
    if (await sessionCookie(aliceCtx)) throw new Error("the session cookie survived sign-out");
    const disco = await (await fetch(`${issuer}.well-known/openid-configuration`)).json();
    const reuse = await fetch(disco.token_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${Buffer.from("web:secret").toString("base64")}` },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: last.r }),
    });
    if (reuse.ok) throw new Error("the refresh token still works after sign-out");
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
