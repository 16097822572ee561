// End-to-end test of PII suggestions in the job wizard: a private backend
// (e2e/stack.mjs) whose source holds emails, SSNs and card numbers, the built
// Next app and the system Chromium. The wizard's mapping step lists every
// flagged column with a "Suggested" badge and its transformer; a job created
// without accepting them gets the plan's warning about personal data copied
// unchanged; "Accept all suggestions" sets each column's transformer in one
// click, and that job's plan has no such warning. The first job's privacy
// settings are edited on its page (a bad rate refused at its field, the PRF
// migration note), and its run's report shows WARN on the run page, led by
// the personal data it copied unchanged. Screenshots (pii-*.png) go to
// e2e/screenshots/. Exits non-zero on failure.
//
// Needs what e2e/run.mjs needs: `npm run build`, `make build`, .bin/temporal,
// Postgres on 127.0.0.1:5432 and Chromium at $CHROMIUM.

import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { apiCall, assertNoPageErrors, CHROMIUM, openPage, psql, reportFailure, runCleanups, startStack, startWebApp, stepper, waitFor, watchPageErrors } from "./stack.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const appDir = resolve(here, "..");
const shots = join(here, "screenshots");
const step = stepper("pii");

const call = apiCall;

const PATIENTS_SQL = `
CREATE TABLE public.patients (id int PRIMARY KEY, ssn text NOT NULL, card text, ward text);
INSERT INTO public.patients
SELECT g, lpad((100 + g)::text, 3, '0') || '-' || lpad((g % 90 + 1)::text, 2, '0') || '-' || lpad((1000 + g)::text, 4, '0'),
  CASE WHEN g % 2 = 0 THEN '4111 1111 1111 1111' ELSE '5500 0055 5555 5559' END, 'ward ' || (g % 5)
FROM generate_series(1, 60) g;
`;

/** wizard builds a job named name from pii-source to pii-dest up to the mapping step. */
async function wizard(page, name) {
  await page.goto("/jobs/new");
  await page.getByLabel("Job name").fill(name);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel("Source", { exact: true }).selectOption({ label: "pii-source (PostgreSQL)" });
  await page.getByLabel("Destination 1 connection").selectOption({ label: "pii-dest (PostgreSQL)" });
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("region", { name: "Table public.customers" }).waitFor();
}

/** finish validates the mappings, skips the subset and creates the job without running it (review, when given, acts on the review step first); it returns what the job page's plan card says. */
async function finish(page, review) {
  await page.getByRole("button", { name: "Validate and continue" }).click();
  await page.getByRole("checkbox", { name: /Subset by foreign keys/ }).waitFor();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("heading", { name: "Review" }).waitFor();
  if (review) await review();
  await page.getByLabel("Run the job as soon as it is created").uncheck();
  await page.getByRole("button", { name: "Create job" }).click();
  await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
  await page.getByText("No runs yet").waitFor();
  const card = page.getByRole("region", { name: "Before the next run" }).or(page.locator("section").filter({ has: page.getByRole("heading", { name: "Before the next run" }) }));
  await card.getByText(/The plan of the next run has/).first().waitFor({ timeout: 60_000 });
  return (await card.first().textContent()) ?? "";
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
    psql(stack.dbs.source, PATIENTS_SQL);
    const { accountId } = await call(stack.apiURL, "UserAccountService/SetPersonalAccount", {});
    for (const [name, url] of [["pii-source", stack.sourceURL], ["pii-dest", stack.destURL]]) {
      await call(stack.apiURL, "ConnectionService/CreateConnection", { accountId, name, connectionConfig: { pgConfig: { url } } });
    }

    step("starting the web app");
    const appURL = await startWebApp(stack, cleanups);
    step(`the web app is on ${appURL}`);
    page = await openPage(chromium, appURL, cleanups);
    page.setDefaultTimeout(20_000);
    const pageErrors = watchPageErrors(page);
    const shot = async (name) => {
      await page.waitForLoadState("networkidle").catch(() => {});
      await page.screenshot({ path: join(shots, `pii-${name}.png`), fullPage: true });
      step(`screenshot pii-${name}.png`);
    };
    // narrow shoots one element of the page at a phone's width (390 px).
    const narrow = async (locator, name) => {
      await page.setViewportSize({ width: 390, height: 844 });
      await locator.screenshot({ path: join(shots, `pii-${name}.png`) });
      step(`screenshot pii-${name}.png`);
      await page.setViewportSize({ width: 1280, height: 900 });
    };

    step("the mapping step suggests transformers for the flagged columns");
    await wizard(page, "keeps-pii");
    const list = page.getByRole("list", { name: "Suggested transformers" });
    await list.waitFor();
    const want = {
      "public.customers.email": "transform_email",
      "public.patients.ssn": "generate_ssn",
      "public.patients.card": "transform_character_scramble",
    };
    for (const [col, source] of Object.entries(want)) {
      const row = list.locator(`li[data-column="${col}"]`);
      await row.getByText("Suggested", { exact: true }).waitFor();
      await row.getByText(source, { exact: true }).waitFor();
    }
    if ((await list.locator("li").count()) !== 3) throw new Error(`want 3 suggestions, got:\n${await list.textContent()}`);
    await page.getByText("Personal data found in 3 columns").waitFor();
    await shot("01-wizard-suggestions");

    step("a job that ignores them: its plan warns about personal data copied unchanged");
    const ignored = await finish(page);
    for (const col of Object.keys(want)) {
      if (!ignored.includes(`personal data copied unchanged: ${col}`)) throw new Error(`the plan does not warn about ${col}:\n${ignored}`);
    }
    await shot("02-job-plan-warns");
    const keepsPii = page.url();

    step("its privacy settings: a bad rate is refused at its field, switching the PRF shows the migration note");
    await page.getByRole("button", { name: "Edit privacy" }).click();
    const warnRate = page.getByLabel("Warn rate (%)", { exact: true });
    await warnRate.fill("150");
    await page.getByRole("button", { name: "Save privacy" }).click();
    await page.getByText("A percentage above 0 and at most 100, or empty for the default.").waitFor();
    if ((await warnRate.getAttribute("aria-invalid")) !== "true") throw new Error("the bad warn rate is not marked invalid");
    await page.getByLabel("Consistent-mode PRF", { exact: true }).selectOption("v1");
    await page.getByRole("note", { name: "PRF migration note" }).waitFor();
    await page.getByText("A percentage above 0 and at most 100, or empty for the default.").waitFor();
    await shot("02b-job-privacy-edit");
    await narrow(page.getByRole("form", { name: "Privacy settings" }), "02b-job-privacy-edit-390");
    await page.getByLabel("Consistent-mode PRF", { exact: true }).selectOption("v2");
    await warnRate.fill("2");
    await page.getByRole("button", { name: "Save privacy" }).click();
    await page.getByRole("button", { name: "Edit privacy" }).waitFor();
    await page.getByText("2 %", { exact: true }).waitFor();
    const jobId = keepsPii.split("/").pop();
    const saved = (await call(stack.apiURL, "JobService/GetJob", { id: jobId })).job.source.sync;
    if (saved.leakPolicy?.warnRate !== 0.02 || saved.consistentPrf !== "CONSISTENT_PRF_V2") throw new Error(`saved privacy settings: ${JSON.stringify(saved)}`);

    step("run it: the run page's verdict is WARN, led by the personal data copied unchanged");
    await page.getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const verdict = page.getByLabel("Verification verdict", { exact: true });
    await verdict.waitFor({ timeout: 180_000 });
    await verdict.getByText("WARN", { exact: true }).first().waitFor();
    const verdictText = (await verdict.textContent()) ?? "";
    if (!verdictText.startsWith("Verdict WARN")) throw new Error(`the run's verdict is not WARN:\n${verdictText}`);
    for (const col of Object.keys(want)) {
      await verdict.getByText(new RegExp(`personal data copied unchanged: ${col.replaceAll(".", "\\.")} looks like`)).waitFor();
    }
    const first = (await verdict.locator("li").first().textContent()) ?? "";
    if (!first.includes("personal data copied unchanged")) throw new Error(`the first finding is not the personal data copied unchanged: ${first}`);
    await shot("02c-run-warns");
    await narrow(verdict, "02c-run-warns-390");

    step("accept all suggestions in one click");
    await wizard(page, "accepts-pii");
    await page.getByRole("button", { name: "Accept all suggestions" }).click();
    for (const [col, source] of Object.entries(want)) {
      const row = list.locator(`li[data-column="${col}"]`);
      await row.getByText("Accepted", { exact: true }).waitFor();
      const picked = await page.locator(`#map-${col.replaceAll(".", "\\.")}`).inputValue();
      if (picked !== source) throw new Error(`${col}: the mapping is ${picked}, want ${source}`);
    }
    await shot("03-wizard-accepted");
    const accepted = await finish(page, async () => {
      // The review step sets the new job's privacy: PRF v2 by default, a fail rate of 4 %.
      if ((await page.getByLabel("Consistent-mode PRF", { exact: true }).inputValue()) !== "v2") throw new Error("a new job does not default to PRF v2");
      await page.getByLabel("Fail rate (%)", { exact: true }).fill("4");
      await shot("03b-wizard-privacy");
    });
    const created = (await call(stack.apiURL, "JobService/GetJob", { id: page.url().split("/").pop() })).job.source.sync;
    if (created.leakPolicy?.failRate !== 0.04 || created.consistentPrf !== "CONSISTENT_PRF_V2") throw new Error(`the wizard's privacy settings were not saved: ${JSON.stringify(created)}`);
    if (accepted.includes("personal data copied unchanged")) throw new Error(`the plan still warns after accepting:\n${accepted}`);
    await shot("04-job-plan-clean");

    assertNoPageErrors(pageErrors);
    step("passed");
  } catch (e) {
    failed = true;
    await reportFailure("PII E2E", e, page, join(shots, "pii-zz-failure.png"));
  } finally {
    await runCleanups(cleanups);
  }
  process.exit(failed ? 1 : 0);
}

main();
