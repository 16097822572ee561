// End-to-end test of what a first-time user stumbled on (issue 19), each
// check failing on the code before its fix: a running run's duration that
// did not advance, a job page that kept saying Running after its run
// failed, a revoked key's value left on screen, Regenerate turning a 30-day
// key into a 90-day one, a bad schedule refused only at Create, step pills
// that could not be clicked, a sync into another kind of database saved
// without a word, a generate job without its source in the list, a 404 for
// the favicon, the transformers page wider than a phone, clipped tables
// without a hint, a preview kept beside a syntax error, parameter errors out
// of view. Also the new pieces: rerun, run filters, next run time, table
// include/exclude, column filter, transformer search, the code editor's
// completion. Screenshots at 1280 and 390 px go to e2e/screenshots/ux-*.png.
//
// Needs what run.mjs needs: `npm run build`, bin/* (`make build`),
// .bin/temporal, Postgres and Chromium (the MySQL connection is saved, never opened).

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { freePort, pgURL, psql, repoRoot, reportFailure, runCleanups, startStack, waitFor } from "./stack.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const appDir = resolve(here, "..");
const shots = join(here, "screenshots");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const started = Date.now();
const step = (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ux: ${msg}`);
const check = (ok, msg) => {
  if (!ok) throw new Error(msg);
};

const jobFile = (s) => `connections:
  - name: ux-src
    postgres: {url: "${s.sourceURL}"}
  - name: ux-dst
    postgres: {url: "${s.destURL}"}
  - name: ux-mysql
    mysql: {url: "root@tcp(127.0.0.1:3306)/mysql"}
jobs:
  - name: ux-copy
    source: {connection: ux-src}
    destinations:
      - {connection: ux-dst, init_schema: true, truncate_before_insert: true, truncate_cascade: true}
    mappings:
      - schema: public
        table: customers
        columns: {id: passthrough, full_name: generate_full_name, email: transform_email, phone: passthrough, created_at: passthrough}
      - schema: public
        table: orders
        columns: {id: passthrough, customer_id: passthrough, amount_cents: passthrough, note: passthrough}
  - name: ux-generate
    generate:
      connection: ux-src
      tables:
        - {schema: public, table: customers, row_count: 10}
    destinations:
      - connection: ux-dst
    mappings:
      - schema: public
        table: customers
        columns: {full_name: generate_full_name, email: generate_email}
`;

async function main() {
  if (!existsSync(join(appDir, ".next", "BUILD_ID"))) throw new Error("the app is not built: run `npm run build` first");
  mkdirSync(shots, { recursive: true });
  const cleanups = [];
  let page;
  let failed = false;
  try {
    step("starting the backend");
    const stack = await startStack({ log: step });
    cleanups.push(() => stack.stop());
    const cli = (...args) => execFileSync(join(repoRoot, "bin/neosync"), args, { env: { ...process.env, NEOSYNC_API_URL: stack.apiURL, NEOSYNC_CONFIG_DIR: join(stack.logDir, "cli"), CI: "1" }, encoding: "utf8" });
    writeFileSync(join(stack.logDir, "ux.yaml"), jobFile(stack));
    cli("apply", "-f", join(stack.logDir, "ux.yaml"), "--skip-check");
    step("a first run creates the destination's tables");
    cli("jobs", "trigger", "ux-copy", "--wait");

    const port = await freePort();
    const appURL = `http://127.0.0.1:${port}`;
    const next = spawn(join(appDir, "node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: appDir,
      env: { ...process.env, NEOSYNC_API_URL: stack.apiURL, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", openSync(join(stack.logDir, "ux-next.log"), "w"), openSync(join(stack.logDir, "ux-next.err.log"), "w")],
    });
    next.logPath = join(stack.logDir, "ux-next.log");
    cleanups.unshift(() => new Promise((r) => (next.exitCode !== null ? r() : (next.once("exit", r), next.kill("SIGTERM")))));
    await waitFor("web app", async () => (await fetch(`${appURL}/jobs`)).ok, 60, next);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    cleanups.unshift(() => browser.close());
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: appURL });
    page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    const notFound = [];
    page.on("response", (r) => r.status() === 404 && notFound.push(r.url()));
    page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
    const shot = async (name, p = page) => {
      await p.waitForLoadState("networkidle").catch(() => {});
      await p.screenshot({ path: join(shots, `ux-${name}.png`), fullPage: true });
      step(`screenshot ux-${name}.png`);
    };

    step("jobs list: a generate job names its source; schedules read in English");
    await page.goto("/jobs");
    const genRow = page.getByRole("row").filter({ has: page.getByRole("link", { name: "ux-generate" }) });
    await genRow.getByRole("cell", { name: "ux-src" }).waitFor();

    step("a running run's duration advances; the job page sees it fail; rerun");
    psql(stack.dbs.dest, "ALTER TABLE public.orders ADD CONSTRAINT ux_small CHECK (amount_cents < 10) NOT VALID");
    // Hold the destination's table so the next run stays running for a while.
    const lock = spawn("psql", [pgURL(stack.dbs.dest), "-c", "BEGIN; LOCK TABLE public.customers IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(15); COMMIT;"], { stdio: "ignore" });
    cleanups.unshift(() => lock.exitCode === null && lock.kill());
    await page.getByRole("link", { name: "ux-copy" }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const jobURL = page.url();
    await page.getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const runURL = page.url();
    await page.getByTestId("run-status").getByText("Running").waitFor({ timeout: 60_000 });
    const d1 = await page.getByTestId("run-duration").textContent();
    await page.waitForTimeout(3000);
    const d2 = await page.getByTestId("run-duration").textContent();
    const still = await page.getByTestId("run-status").textContent();
    check(still !== "Running" || d1 !== d2, `the duration of a running run stayed at ${d1} for 3 s`);
    await shot("run-running-1280");
    await page.goto(jobURL);
    await page.getByText("Failed", { exact: true }).first().waitFor({ timeout: 90_000 });
    await shot("job-run-failed-1280");
    await page.goto(runURL);
    await page.getByTestId("run-status").getByText("Failed").waitFor();
    await page.getByRole("button", { name: "Rerun job" }).click();
    await page.waitForURL((u) => /\/runs\/[0-9a-f-]{36}$/.test(u.pathname) && !runURL.endsWith(u.pathname));
    await page.getByTestId("run-status").getByText("Failed").waitFor({ timeout: 90_000 });

    step("runs: filter by status and job, kept in the URL");
    await page.goto("/runs");
    await page.getByLabel("Filter by status").selectOption("complete");
    await page.waitForURL(/status=complete/);
    await page.getByRole("row").filter({ hasText: "Complete" }).first().waitFor();
    check((await page.getByRole("row").filter({ hasText: "Failed" }).count()) === 0, "the status filter kept failed runs");
    await page.getByLabel("Filter by job").selectOption({ label: "ux-generate" });
    await page.getByText("No runs match these filters").waitFor();
    await shot("runs-filtered-1280");

    step("job page: schedule read in English, next run, refused in place");
    await page.goto(jobURL);
    await page.getByRole("button", { name: "Edit schedule" }).click();
    await page.getByLabel("Cron schedule").fill("every day");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText(/"every day" is not a valid schedule/).waitFor();
    await page.getByLabel("Cron schedule").fill("30 4 * * 1-5");
    await page.getByText("At 04:30, on weekdays (UTC)").first().waitFor();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByTestId("next-run").getByText(/\d/).waitFor();
    await shot("job-schedule-1280");

    step("wizard: a bad schedule is refused at step 1; pills go back and forth");
    await page.goto("/jobs/new");
    await page.getByLabel("Job name").fill("ux-wizard");
    await page.getByLabel("Schedule (optional)").fill("every day");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText(/Schedule: "every day" is not a valid schedule/).waitFor();
    check((await page.getByRole("button", { name: "1 Define" }).getAttribute("aria-current")) === "step", "a bad schedule left step 1");
    await page.getByLabel("Schedule (optional)").fill("0 3 * * *");
    await page.getByText("At 03:00, every day (UTC)").waitFor();
    await shot("wizard-define-1280");
    await page.getByRole("button", { name: "Continue" }).click();

    step("wizard: connection types shown; a Postgres source refuses a MySQL destination");
    const srcSelect = page.getByLabel("Source", { exact: true });
    check((await srcSelect.locator("option").allTextContents()).includes("ux-mysql (MySQL)"), "the source picker does not say the connection types");
    await srcSelect.selectOption({ label: "ux-src (PostgreSQL)" });
    await page.getByLabel("Destination 1 connection").selectOption({ label: "ux-mysql (MySQL)" });
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText("The source is PostgreSQL and this destination is MySQL").waitFor();
    await shot("wizard-connect-mismatch-1280");
    await page.getByLabel("Destination 1 connection").selectOption({ label: "ux-dst (PostgreSQL)" });
    await page.getByRole("button", { name: "1 Define" }).click();
    await page.getByLabel("Job name").waitFor();
    await page.getByRole("button", { name: "2 Connect" }).click();
    await page.getByRole("button", { name: "Continue" }).click();

    step("wizard: include tables, filter columns, search a transformer");
    await page.getByTestId("table-scope-count").getByText("2 of 2 included").waitFor();
    await page.getByLabel("Include public.orders").uncheck();
    await page.getByTestId("table-scope-count").getByText("1 of 2 included").waitFor();
    check((await page.getByRole("region", { name: "Table public.orders" }).count()) === 0, "an excluded table is still mapped");
    await page.getByRole("textbox", { name: "Filter columns" }).fill("mail");
    await page.getByTestId("column-count").getByText("1 of 5 columns").waitFor();
    await page.getByRole("button", { name: "Search transformers for email" }).click();
    await page.getByRole("combobox", { name: "Find a transformer for email" }).fill("email");
    await shot("wizard-schema-search-1280");
    await page.getByRole("option").filter({ hasText: "transform_email" }).first().click();
    check((await page.locator("#map-public\\.customers\\.email").inputValue()) !== "passthrough", "the searched transformer was not picked");
    await page.getByRole("textbox", { name: "Filter columns" }).fill("");
    await shot("wizard-schema-1280");
    await page.getByRole("button", { name: "Validate and continue" }).click();
    await page.getByRole("checkbox", { name: /Subset by foreign keys/ }).waitFor();
    check((await page.getByLabel("public.orders", { exact: true }).count()) === 0, "the subset step offers an excluded table");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText("1 of 2 tables").waitFor();
    await shot("wizard-review-1280");

    step("settings: a revoked key's value disappears; regenerate keeps 30 days");
    await page.goto("/settings");
    await page.getByLabel("New key name").fill("ux-once");
    await page.getByLabel("Expires in").selectOption("30");
    await page.getByRole("button", { name: "Create key" }).click();
    await page.getByTestId("new-key").waitFor();
    await page.getByRole("button", { name: "Revoke ux-once" }).last().click();
    await page.getByRole("button", { name: "Revoke key" }).click();
    // The modal hides the page from the accessibility tree: wait for it to close first.
    await page.getByRole("dialog").waitFor({ state: "detached" });
    await page.getByRole("row").filter({ hasText: "ux-once" }).waitFor({ state: "detached" });
    check((await page.getByTestId("new-key").count()) === 0, "the revoked key's value is still shown");
    await page.getByLabel("New key name").fill("ux-monthly");
    await page.getByLabel("Expires in").selectOption("30");
    await page.getByRole("button", { name: "Create key" }).click();
    await page.getByTestId("new-key").waitFor();
    await page.getByRole("button", { name: "Regenerate ux-monthly" }).last().click();
    check((await page.getByLabel("New value expires in").inputValue()) === "30", "Regenerate does not offer the key's own 30 days");
    await shot("settings-regenerate-1280");
    await page.getByRole("button", { name: "Regenerate key" }).click();
    await page.getByRole("dialog").waitFor({ state: "detached" });
    await page.getByText("New value of ux-monthly").waitFor();
    const expires = await page.getByRole("row").filter({ hasText: "ux-monthly" }).getByRole("cell").nth(2).textContent();
    const in30 = await page.evaluate(() => new Date(Date.now() + 30 * 86_400_000).toLocaleString(undefined, { dateStyle: "medium" }));
    check(expires.startsWith(in30), `the regenerated key expires ${expires}, want 30 days from now (${in30})`);

    step("transformers: preview never beside a syntax error, errors scrolled to, completion");
    await page.goto("/transformers");
    await page.getByLabel("System transformer").selectOption("transform_javascript");
    const code = page.locator("#t-param-code");
    await code.fill("return value.toUpperCase();");
    await page.getByTestId("preview-output").first().getByText('"ALICE@EXAMPLE.COM"').waitFor();
    await code.fill("return value.toUpperCase() +;");
    await page.getByRole("button", { name: "Check code" }).click();
    await page.getByText(/Line 1, column/).waitFor();
    check((await page.getByTestId("preview-output").count()) === 0, "the old preview stays beside a syntax error");
    await page.getByText("Fix the code to see a preview.").waitFor();
    await code.fill("return neosync.transformEm");
    await code.press("End");
    await code.press("Control+Space");
    await page.locator(".cm-tooltip-autocomplete").getByText("transformEmail").first().waitFor();
    await shot("transformers-completion-1280");
    await page.keyboard.press("Escape");
    await page.getByLabel("System transformer").selectOption("generate_int64");
    const min = page.locator("#t-param-min");
    if (await min.count()) {
      await min.fill("not a number");
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await page.getByLabel("Name").fill("ux-bad");
      await page.getByRole("button", { name: "Save transformer" }).click();
      await page.waitForFunction(() => document.activeElement?.id === "t-param-min");
      // Scrolled (smoothly) until the field is in the window.
      await page.waitForFunction(() => {
        const r = document.getElementById("t-param-min").getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
      }, null, { timeout: 5000 });
    }

    step("390 px: the transformers page fits; clipped tables say they scroll");
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, baseURL: appURL });
    phone.on("response", (r) => r.status() === 404 && notFound.push(r.url()));
    await phone.goto("/transformers");
    await phone.getByText("System catalogue").waitFor();
    const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
    check(wide <= 390, `the transformers page is ${wide} px wide at 390 px`);
    await phone.getByTestId("scroll-hint").first().waitFor();
    await shot("transformers-390", phone);
    for (const [path, name] of [["/jobs", "jobs-390"], ["/runs", "runs-390"], [jobURL, "job-390"]]) {
      await phone.goto(path);
      await phone.waitForLoadState("networkidle").catch(() => {});
      const w = await phone.evaluate(() => document.documentElement.scrollWidth);
      check(w <= 390, `${path} is ${w} px wide at 390 px`);
      await shot(name, phone);
    }
    await phone.goto("/jobs/new");
    await phone.getByLabel("Job name").fill("ux-phone");
    await phone.getByRole("button", { name: "Continue" }).click();
    await phone.getByLabel("Source", { exact: true }).selectOption({ label: "ux-src (PostgreSQL)" });
    await phone.getByLabel("Destination 1 connection").selectOption({ label: "ux-dst (PostgreSQL)" });
    await shot("wizard-connect-390", phone);
    await phone.getByRole("button", { name: "Continue" }).click();
    await phone.getByTestId("table-scope-count").waitFor();
    const ww = await phone.evaluate(() => document.documentElement.scrollWidth);
    check(ww <= 390, `the schema step is ${ww} px wide at 390 px`);
    await shot("wizard-schema-390", phone);

    check(notFound.length === 0, `404 answers: ${[...new Set(notFound)].join(", ")}`);
    step("all checks passed");
  } catch (e) {
    failed = true;
    await reportFailure("ux e2e", e, page, join(shots, "ux-failure.png"));
  } finally {
    await runCleanups(cleanups);
  }
  process.exit(failed ? 1 : 0);
}

await main();
