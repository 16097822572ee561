// End-to-end test: a private backend (e2e/stack.mjs), the built Next app, and
// the system Chromium driven by playwright-core. Creates two connections and a
// job through the UI, runs it, watches it complete, checks the destination,
// and screenshots every page into e2e/screenshots/. Exits non-zero on failure.
//
// Needs: `npm run build` first, /work/main/bin/* (`make build`), .bin/temporal,
// Postgres on 127.0.0.1:5432 and Chromium at $CHROMIUM (default /usr/bin/chromium).

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { freePort, psql, startStack, waitFor } from "./stack.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const appDir = resolve(here, "..");
const shots = join(here, "screenshots");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const started = Date.now();

function step(msg) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
}

async function main() {
  if (!existsSync(join(appDir, ".next", "BUILD_ID"))) throw new Error("the app is not built: run `npm run build` first");
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)`);
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });

  const cleanups = [];
  let failed = false;
  let page;
  try {
    step("starting Postgres databases, Temporal, API and worker");
    const stack = await startStack({ log: (m) => step(m) });
    cleanups.push(() => stack.stop());

    const port = await freePort();
    const appURL = `http://127.0.0.1:${port}`;
    step(`starting the web app on ${appURL}`);
    const next = spawn(join(appDir, "node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: appDir,
      env: { ...process.env, NEOSYNC_API_URL: stack.apiURL, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", openSync(join(stack.logDir, "next.log"), "w"), openSync(join(stack.logDir, "next.err.log"), "w")],
    });
    next.logPath = join(stack.logDir, "next.log");
    cleanups.unshift(() => new Promise((r) => (next.exitCode !== null ? r() : (next.once("exit", r), next.kill("SIGTERM")))));
    await waitFor("web app", async () => (await fetch(`${appURL}/connections`)).ok, 60, next);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    cleanups.unshift(() => browser.close());
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: appURL });
    page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("console", (m) => m.type() === "error" && pageErrors.push(`console: ${m.text()}`));
    const shot = async (name, p = page) => {
      await p.waitForLoadState("networkidle").catch(() => {});
      await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
      step(`screenshot ${name}.png`);
    };

    step("empty states");
    await page.goto("/jobs");
    await page.getByText("No jobs yet").waitFor();
    await page.getByTestId("account").first().getByText("personal", { exact: true }).waitFor();
    await shot("01-jobs-empty");
    await page.goto("/connections");
    await page.getByText("No connections yet").waitFor();
    await shot("02-connections-empty");

    step("create the source connection from a URL, test it, save it");
    await page.getByRole("link", { name: "New connection" }).first().click();
    await page.getByRole("button", { name: "Save connection" }).click();
    await page.getByText("Name is required.").waitFor();
    await shot("03-connection-new-validation");
    await page.getByLabel("Name").fill("prod-source");
    await page.getByLabel("Connection URL").fill(stack.sourceURL);
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("Connected", { exact: true }).waitFor();
    await page.getByRole("cell", { name: "customers" }).waitFor();
    await shot("04-connection-new-tested");
    await page.getByRole("button", { name: "Save connection" }).click();
    await page.waitForURL(/\/connections\/[0-9a-f-]{36}$/);
    const sourceConnURL = page.url();
    await page.getByRole("heading", { name: "prod-source" }).waitFor();
    await shot("05-connection-detail");

    step("create the destination connection from fields");
    await page.goto("/connections/new");
    await page.getByLabel("Name").fill("staging-dest");
    await page.getByRole("tab", { name: "Host and credentials" }).click();
    await page.getByLabel("Host").fill("127.0.0.1");
    await page.getByLabel("Port").fill("5432");
    await page.getByLabel("Database").fill(stack.dbs.dest);
    await page.getByLabel("User").fill("postgres");
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("Connected", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Save connection" }).click();
    await page.waitForURL(/\/connections\/[0-9a-f-]{36}$/);
    await page.getByLabel("Password").waitFor();
    await page.goto("/connections");
    await page.getByRole("link", { name: "staging-dest" }).waitFor();
    await shot("06-connections-list");

    step("build a job through the wizard");
    await page.goto("/jobs/new");
    await page.getByLabel("Job name").fill("prod-to-staging");
    await shot("07-job-new-define");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByLabel("Source", { exact: true }).selectOption({ label: "prod-source" });
    await page.getByLabel("Destination", { exact: true }).selectOption({ label: "staging-dest" });
    await shot("08-job-new-connect");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("region", { name: "Table public.customers" }).waitFor();
    await page.locator("#map-public\\.customers\\.email").selectOption("transform_email");
    await page.locator("#map-public\\.customers\\.full_name").selectOption("transform_full_name");
    await page.locator("#map-public\\.customers\\.phone").selectOption("transform_string_phone_number");
    await shot("09-job-new-schema");
    await page.getByRole("button", { name: "Validate and continue" }).click();
    await page.getByRole("heading", { name: "Review" }).waitFor();
    await page.getByLabel("Run the job as soon as it is created").uncheck();
    await shot("10-job-new-review");
    await page.getByRole("button", { name: "Create job" }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    await page.getByText("No runs yet").waitFor();
    await shot("11-job-detail");

    step("Run now, watch the run complete");
    await page.getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    await page.getByTestId("run-status").waitFor();
    await shot("12-run-in-progress");
    const status = page.getByTestId("run-status");
    const deadline = Date.now() + 180_000;
    for (;;) {
      const s = (await status.textContent())?.trim();
      if (s === "Complete") break;
      if (["Failed", "Canceled", "Terminated"].includes(s)) throw new Error(`the run ended ${s}; see ${stack.logDir}/worker.log`);
      if (Date.now() > deadline) throw new Error(`the run did not complete in 180s (status ${s}); see ${stack.logDir}/worker.log`);
      await page.waitForTimeout(500);
    }
    await page.getByText("2 of 2 tables complete").waitFor();
    await shot("13-run-complete");

    step("check the destination: every row copied, PII transformed");
    const counts = psql(stack.dbs.dest, "SELECT (SELECT count(*) FROM public.customers) || ' ' || (SELECT count(*) FROM public.orders)");
    if (counts !== "500 2000") throw new Error(`destination row counts are ${counts}, want 500 2000`);
    const leaked = psql(stack.dbs.dest, "SELECT count(*) FROM public.customers WHERE email LIKE 'customer%@example.com' OR full_name LIKE 'Customer %'");
    if (leaked !== "0") throw new Error(`${leaked} destination rows still hold source PII`);

    step("runs list, job detail with the run");
    await page.goto("/runs");
    await page.getByText("Complete").first().waitFor();
    await shot("14-runs-list");
    await page.goto("/jobs");
    await page.getByRole("link", { name: "prod-to-staging" }).click();
    await page.getByRole("cell", { name: "Complete" }).waitFor();
    await shot("15-job-detail-with-run");
    await page.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Cron schedule").fill("not a cron");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Invalid schedule").waitFor();
    await shot("16-job-schedule-error");
    await page.getByLabel("Cron schedule").fill("0 3 * * *");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("0 3 * * *", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByRole("button", { name: "Resume" }).waitFor();
    await page.goto("/jobs");
    await page.getByText("Paused").waitFor();
    await shot("17-jobs-list");

    step("deleting a connection in use is refused in the dialog");
    await page.goto(sourceConnURL);
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("button", { name: "Delete connection" }).click();
    await page.getByRole("dialog").getByRole("alert").waitFor();
    await shot("18-connection-delete-in-use");
    await page.getByRole("button", { name: "Cancel" }).click();

    step("transformers: catalogue and live preview");
    await page.goto("/transformers");
    await page.locator("td").getByText("transform_email", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByRole("cell", { name: "alice@example.com" }).waitFor();
    await shot("19-transformers");

    step("settings: create an API key, shown once");
    await page.goto("/settings");
    await page.getByLabel("New key name").fill("ci-pipeline");
    await page.getByRole("button", { name: "Create key" }).click();
    await page.getByTestId("new-key").waitFor();
    await page.getByRole("cell", { name: "ci-pipeline" }).waitFor();
    await shot("20-settings-api-keys");

    step("narrow screen (390px)");
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: appURL, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const m = await phone.newPage();
    m.on("pageerror", (e) => pageErrors.push(e.message));
    await m.goto("/jobs");
    await m.getByRole("link", { name: "prod-to-staging" }).waitFor();
    await shot("21-mobile-jobs", m);
    await m.getByRole("button", { name: "Open menu" }).click();
    await m.locator("#mobile-nav").getByRole("link", { name: "Runs" }).waitFor();
    await shot("22-mobile-nav-open", m);
    await m.locator("#mobile-nav").getByRole("link", { name: "Runs" }).click();
    await m.waitForURL(/\/runs$/);
    await m.getByRole("link", { name: "prod-to-staging" }).first().waitFor();
    await m.locator("a[href^='/runs/']").first().click();
    await m.getByTestId("run-status").waitFor();
    await shot("23-mobile-run", m);
    await m.goto("/connections/new");
    await shot("24-mobile-connection-new", m);
    await phone.close();

    const real = pageErrors.filter((e) => !/Failed to load resource/.test(e));
    if (real.length) throw new Error(`the browser reported errors:\n  ${real.join("\n  ")}`);
    step(`passed: ${readdirSync(shots).length} screenshots in ${shots}`);
  } catch (e) {
    failed = true;
    console.error(`\nE2E FAILED: ${e instanceof Error ? e.message : e}`);
    if (page) {
      await page.screenshot({ path: join(shots, "zz-failure.png"), fullPage: true }).catch(() => {});
      console.error(`the page at failure (${page.url()}): ${join(shots, "zz-failure.png")}`);
    }
  } finally {
    for (const c of cleanups) {
      try {
        await c();
      } catch (e) {
        console.error(`cleanup: ${e.message}`);
      }
    }
  }
  process.exit(failed ? 1 : 0);
}

main();
