// End-to-end test: a private backend (e2e/stack.mjs), the built Next app, and
// the system Chromium driven by playwright-core. Creates connections and a sync
// job through the wizard (transformer parameters, bulk apply, a subset with its
// row-count and sample-rows preview, two destinations), runs it, checks both destinations in
// SQL, edits the job (destinations, subset, mappings, run options) and checks a
// second run, writes a JavaScript transformer (syntax error, fix, preview),
// regenerates an API key, creates and runs a generate job, and screenshots every
// page into e2e/screenshots/ at 1280 and 390 px. Exits non-zero on failure.
//
// Needs: `npm run build` first, /work/main/bin/* (`make build`), .bin/temporal,
// Postgres on 127.0.0.1:5432 and Chromium at $CHROMIUM (default /usr/bin/chromium).

import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { assertNoPageErrors, CHROMIUM, openPage, psql, reportFailure, runCleanups, startStack, startWebApp, stepper, waitFor, watchPageErrors } from "./stack.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const appDir = resolve(here, "..");
const shots = join(here, "screenshots");
const step = stepper("");

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

    step("starting the web app");
    const appURL = await startWebApp(stack, cleanups);
    step(`the web app is on ${appURL}`);
    page = await openPage(chromium, appURL, cleanups);
    page.setDefaultTimeout(20_000);
    const pageErrors = watchPageErrors(page);
    // fullPage unless told otherwise: long pages (the transformer catalogue)
    // are also taken as the viewport, so the part under test stays legible.
    const shot = async (name, p = page, fullPage = true) => {
      await p.waitForLoadState("networkidle").catch(() => {});
      await p.screenshot({ path: join(shots, `${name}.png`), fullPage });
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
    await page.getByLabel("Host", { exact: true }).fill("127.0.0.1");
    await page.getByLabel("Port", { exact: true }).fill("5432");
    await page.getByLabel("Database").fill(stack.dbs.dest);
    await page.getByLabel("User", { exact: true }).fill("postgres");
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("Connected", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Save connection" }).click();
    await page.waitForURL(/\/connections\/[0-9a-f-]{36}$/);
    await page.getByLabel("Password", { exact: true }).waitFor();
    await page.goto("/connections");
    await page.getByRole("link", { name: "staging-dest" }).waitFor();
    await shot("06-connections-list");

    step("a third connection, for a second destination");
    await page.goto("/connections/new");
    await page.getByLabel("Name").fill("dev-dest");
    await page.getByLabel("Connection URL").fill(stack.dest2URL);
    await page.getByRole("button", { name: "Save connection" }).click();
    await page.waitForURL(/\/connections\/[0-9a-f-]{36}$/);

    step("build a job through the wizard: parameters, bulk apply, subset, two destinations");
    await page.goto("/jobs/new");
    await page.getByLabel("Job name").fill("prod-to-staging");
    await shot("07-job-new-define");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText("Choose a source.").waitFor();
    await page.getByLabel("Source", { exact: true }).selectOption({ label: "prod-source (PostgreSQL)" });
    await page.getByRole("button", { name: "+ Add destination" }).click();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText("Choose a connection.").first().waitFor();
    await shot("08a-job-new-connect-errors");
    await page.getByLabel("Destination 1 connection").selectOption({ label: "staging-dest (PostgreSQL)" });
    const d2 = page.getByRole("region", { name: "Destination 2" });
    await d2.getByLabel("Destination 2 connection").selectOption({ label: "dev-dest (PostgreSQL)" });
    await d2.getByLabel("When a row already exists").selectOption("do_nothing");
    await d2.getByLabel("Batch size").fill("500");
    await shot("08-job-new-connect");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("region", { name: "Table public.customers" }).waitFor();
    // bulk apply: every text column gets transform_hash, then some get their own transformer
    const bulk = page.getByRole("region", { name: "Bulk apply" });
    await bulk.getByLabel("Select columns of type").selectOption("text");
    await bulk.getByTestId("bulk-count").getByText("4 columns selected").waitFor();
    await bulk.getByLabel("Transformer").selectOption("transform_hash");
    // algorithm applies to the salted mode only: labelled so while the mode
    // is the job's default, hidden in mode hmac, plain in mode salted.
    await bulk.getByLabel("algorithm (only when mode is salted)", { exact: true }).waitFor();
    await bulk.getByLabel("mode", { exact: true }).selectOption("hmac");
    if (await bulk.getByLabel("algorithm").count()) throw new Error("algorithm is shown in mode hmac, where it does nothing");
    await bulk.getByLabel("mode", { exact: true }).selectOption("salted");
    await bulk.getByLabel("algorithm", { exact: true }).selectOption("md5");
    await shot("09a-job-new-bulk-apply");
    await bulk.getByRole("button", { name: "Apply to 4 columns" }).click();
    await bulk.getByTestId("bulk-count").getByText("0 columns selected").waitFor();
    if ((await page.locator("#map-public\\.orders\\.note").inputValue()) !== "transform_hash") throw new Error("bulk apply did not set orders.note");
    await page.locator("#map-public\\.customers\\.email").selectOption("transform_email");
    await page.getByRole("listitem").filter({ has: page.locator("#map-public\\.customers\\.email") }).getByRole("button", { name: "Parameters (defaults)" }).click();
    await page.getByRole("group", { name: "Parameters of email" }).getByLabel("preserve_domain").check();
    await page.locator("#map-public\\.customers\\.phone").selectOption("transform_string_phone_number");
    await shot("09-job-new-schema");
    await page.getByRole("button", { name: "Validate and continue" }).click();
    await page.getByRole("checkbox", { name: /Subset by foreign keys/ }).waitFor();
    const subsetInput = page.getByLabel("public.customers", { exact: true });
    await subsetInput.fill("no_such_column > 1");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("alert").filter({ hasText: "no_such_column" }).waitFor();
    await page.getByText("Fix the WHERE clauses shown in place before continuing.").waitFor();
    await shot("10a-job-new-subset-error");
    await subsetInput.fill("id <= 100");
    await page.getByRole("button", { name: "Preview rows" }).first().click();
    await page.getByTestId("subset-count-public.customers").getByText("100 of 500 rows match (20%)").waitFor();
    await page.getByText("500 rows", { exact: true }).waitFor();
    // The preview shows the first rows the clause keeps, as the source holds
    // them (the wizard runs as the single user, who may read data).
    const sample = page.getByTestId("subset-sample-public.customers");
    await sample.getByText("First 5 rows as the source holds them (before transformers)").waitFor();
    const sampleRows = await sample.getByRole("row").allTextContents();
    if (sampleRows.length !== 6 || !sampleRows[0].startsWith("idfull_nameemailphone")) throw new Error(`subset sample rows: ${JSON.stringify(sampleRows)}`);
    for (const r of sampleRows.slice(1)) {
      const m = /^(\d+)Customer \1customer\1@example\.com/.exec(r);
      if (!m || Number(m[1]) > 100) throw new Error(`subset sample row ${JSON.stringify(r)} is not a source row kept by id <= 100`);
    }
    await shot("10b-job-new-subset");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "Review" }).waitFor();
    await page.getByText("public.customers: id <= 100").waitFor();
    await page.getByLabel("Run the job as soon as it is created").uncheck();
    await shot("10-job-new-review");
    await page.getByRole("button", { name: "Create job" }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const jobURL = page.url();
    await page.getByText("No runs yet").waitFor();
    await page.getByText("batch 500").waitFor();
    await shot("11-job-detail");

    const runAndWait = async (name, tablesDone = /(\d+) of \1 tables? complete/) => {
      await page.getByRole("button", { name: "Run now" }).click();
      await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
      await page.getByTestId("run-status").waitFor();
      if (name) await shot(name);
      const status = page.getByTestId("run-status");
      const deadline = Date.now() + 180_000;
      for (;;) {
        const s = (await status.textContent())?.trim();
        if (s === "Complete") break;
        if (["Failed", "Canceled", "Terminated"].includes(s)) throw new Error(`the run ended ${s}; see ${stack.logDir}/worker.log`);
        if (Date.now() > deadline) throw new Error(`the run did not complete in 180s (status ${s}); see ${stack.logDir}/worker.log`);
        await page.waitForTimeout(500);
      }
      await page.getByText(tablesDone).waitFor();
    };
    const counts = (db) => psql(db, "SELECT (SELECT count(*) FROM public.customers) || ' ' || (SELECT count(*) FROM public.orders)");

    step("Run now, watch the run complete");
    await runAndWait("12-run-in-progress", "4 of 4 tables complete across 2 destinations");
    await page.getByRole("progressbar", { name: "public.orders → dev-dest progress" }).waitFor();
    await shot("13-run-complete");

    step("check both destinations: the subset (and its orders) copied, PII transformed with the parameters chosen");
    for (const db of [stack.dbs.dest, stack.dbs.dest2]) {
      if (counts(db) !== "100 400") throw new Error(`${db}: row counts are ${counts(db)}, want 100 400 (customers id <= 100 and their orders)`);
      const leaked = psql(db, "SELECT count(*) FROM public.customers WHERE email LIKE 'customer%@example.com' OR full_name LIKE 'Customer %'");
      if (leaked !== "0") throw new Error(`${db}: ${leaked} rows still hold source PII`);
      const domain = psql(db, "SELECT count(*) FROM public.customers WHERE email NOT LIKE '%@example.com'");
      if (domain !== "0") throw new Error(`${db}: ${domain} emails lost their domain although preserve_domain was set`);
      // The bulk apply chose mode salted with md5: 32 hex digits.
      const hashed = psql(db, "SELECT count(*) FROM public.orders WHERE note !~ '^[0-9a-f]{32}$'");
      if (hashed !== "0") throw new Error(`${db}: ${hashed} order notes are not md5 digests (bulk apply: mode salted, algorithm md5)`);
    }

    step("runs list, job detail with the run");
    await page.goto("/runs");
    await page.getByRole("row").filter({ hasText: "Complete" }).first().waitFor();
    await shot("14-runs-list");
    await page.goto("/jobs");
    await page.getByRole("link", { name: "prod-to-staging" }).click();
    await page.getByRole("cell", { name: "Complete" }).waitFor();
    await shot("15-job-detail-with-run");

    step("the run's Logs tab (the worker's lines) and the Usage chart");
    const jobDetailURL = page.url();
    await page.goto("/runs");
    await page.locator("a[href^='/runs/']").first().click();
    await page.getByRole("tab", { name: "Logs" }).click();
    await page.getByRole("log", { name: "Run logs" }).getByText("copy complete").first().waitFor();
    await shot("15a-run-logs");
    await page.goto("/usage");
    await page.getByRole("img", { name: /Rows copied per day/ }).waitFor();
    await page.locator(".recharts-bar-rectangle").first().waitFor();
    // 100 customers and 400 orders into each of two destinations.
    await page.getByText(/^1,000 rows from /).waitFor();
    await page.getByRole("cell", { name: "prod-to-staging" }).waitFor();
    await shot("15b-usage");
    await page.goto(jobDetailURL);
    await page.getByRole("button", { name: "Edit schedule" }).click();
    await page.getByLabel("Cron schedule").fill("not a cron");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText('"not a cron" is not a valid schedule').waitFor();
    await shot("16-job-schedule-error");
    await page.getByLabel("Cron schedule").fill("0 3 * * *");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("0 3 * * *", { exact: true }).waitFor();

    step("edit the job: destinations, subset, mappings, run options");
    await page.getByRole("button", { name: "Edit destination dev-dest" }).click();
    const editDest = page.getByRole("group", { name: "Edit destination dev-dest" });
    await editDest.getByLabel("Batch size").fill("0");
    await editDest.getByRole("button", { name: "Save destination" }).click();
    await editDest.getByText(/A whole number from 1 to 100000/).waitFor();
    await shot("16a-job-destination-edit-error");
    await editDest.getByLabel("Batch size").fill("250");
    await editDest.getByRole("button", { name: "Save destination" }).click();
    await page.getByText("batch 250").waitFor();
    await page.getByRole("button", { name: "Remove destination dev-dest" }).click();
    await page.getByRole("button", { name: "Remove destination", exact: true }).click();
    // While the confirm dialog is open the page behind it is hidden from
    // role queries, so wait for the card's count, not for a button to go.
    await page.getByText("Destinations (1)", { exact: true }).waitFor();
    await page.getByRole("dialog").waitFor({ state: "detached" });
    await page.getByRole("button", { name: "+ Add" }).click();
    const newDest = page.getByRole("group", { name: "New destination" });
    await newDest.getByLabel("Connection", { exact: true }).selectOption({ label: "staging-dest (PostgreSQL)" });
    await newDest.getByRole("button", { name: "Add destination" }).click();
    await newDest.getByText("This connection is already a destination.").waitFor();
    await newDest.getByLabel("Connection", { exact: true }).selectOption({ label: "dev-dest (PostgreSQL)" });
    await newDest.getByRole("button", { name: "Add destination" }).click();
    await page.getByRole("button", { name: "Edit destination dev-dest" }).waitFor();

    await page.getByRole("button", { name: "Edit subset" }).click();
    await page.getByLabel("public.customers", { exact: true }).fill("id <= 50");
    await page.getByRole("button", { name: "Preview rows" }).first().click();
    await page.getByText("50 of 500 rows match (10%)").waitFor();
    await shot("16b-job-subset-edit");
    await page.getByRole("button", { name: "Save subset" }).click();
    await page.getByText("id <= 50").waitFor();

    await page.getByRole("button", { name: "Edit mappings" }).click();
    await page.locator("#map-public\\.orders\\.note").waitFor();
    if ((await page.locator("#map-public\\.orders\\.note").inputValue()) !== "transform_hash") throw new Error("the mapping editor did not load the saved mappings");
    await page.getByRole("button", { name: "Parameters: mode=salted, algorithm=md5" }).first().waitFor();
    await page.locator("#map-public\\.orders\\.note").selectOption("passthrough");
    await shot("16c-job-mappings-edit");
    await page.getByRole("button", { name: "Save mappings" }).click();
    await page.getByRole("button", { name: "Edit mappings" }).waitFor();
    await page.getByText("preserve_domain=true").waitFor();

    await page.getByRole("button", { name: "Edit options" }).click();
    await page.getByLabel("Max attempts per table").fill("500");
    await page.getByRole("button", { name: "Save options" }).click();
    await page.getByText("A whole number from 1 to 100, or empty.").waitFor();
    await page.getByLabel("Max attempts per table").fill("3");
    await page.getByLabel("Run timeout").fill("3600");
    await page.getByRole("button", { name: "Save options" }).click();
    await page.getByText("3,600 s").waitFor();
    await shot("16d-job-edited");

    step("run the edited job: the new subset and mappings reach both destinations");
    await runAndWait();
    for (const db of [stack.dbs.dest, stack.dbs.dest2]) {
      if (counts(db) !== "50 200") throw new Error(`${db}: after editing, row counts are ${counts(db)}, want 50 200`);
      const notes = psql(db, "SELECT count(*) FROM public.orders WHERE note NOT LIKE 'order %'");
      if (notes !== "0") throw new Error(`${db}: ${notes} order notes are not copied as is after the mapping edit`);
    }
    await page.goto(jobURL);
    await page.getByRole("button", { name: "Change source" }).click();
    await page.getByLabel("New source connection").selectOption({ label: "staging-dest (PostgreSQL)" });
    await page.getByRole("group", { name: "Change source" }).getByRole("button", { name: "Change source" }).click();
    await page.getByText("This connection is a destination of the job").waitFor();
    await page.getByRole("group", { name: "Change source" }).getByRole("button", { name: "Cancel" }).click();
    step("declare a virtual foreign key on the job");
    await page.getByRole("button", { name: "Edit foreign keys" }).click();
    await page.getByLabel("Referencing table").selectOption("public.orders");
    await page.getByLabel("Referencing column").selectOption("note");
    await page.getByLabel("Referenced table").selectOption("public.customers");
    await page.getByLabel("Referenced column").selectOption("id");
    await page.getByRole("button", { name: "Add foreign key" }).click();
    await page.getByText("The types differ: text and integer.").waitFor();
    await page.getByLabel("Referencing column").selectOption("amount_cents");
    await page.getByRole("button", { name: "Add foreign key" }).click();
    await page.getByText("public.orders(amount_cents) → public.customers(id)").waitFor();
    await shot("16e-job-virtual-fk-edit");
    await page.getByRole("button", { name: "Save foreign keys" }).click();
    await page.getByRole("button", { name: "Edit foreign keys" }).waitFor();
    await page.getByText("Virtual foreign keys (1)").waitFor();
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

    step("a JavaScript transformer: syntax error shown in place, fixed, previewed, saved, edited");
    await page.getByLabel("System transformer").selectOption("transform_javascript");
    const code = page.locator("#t-param-code");
    await code.fill("// keep the local part, upper-cased\nreturn value.split('@')[0].toUpperCase() +;");
    await page.getByRole("button", { name: "Check code" }).click();
    await page.getByText(/^Line 2, column \d+: /).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("upper-local");
    await page.getByRole("button", { name: "Save transformer" }).click();
    await code.evaluate((el) => el.closest("fieldset").scrollIntoView());
    await shot("19a-transformer-js-error", page, false);
    await code.fill("// keep the local part, upper-cased\nreturn value.split('@')[0].toUpperCase();");
    await page.getByRole("button", { name: "Check code" }).click();
    await page.getByText("The code compiles.").waitFor();
    await page.getByTestId("preview-output").getByText('"ALICE"').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot("19b-transformer-js-preview", page, false);
    await page.getByRole("button", { name: "Save transformer" }).click();
    await page.getByRole("cell", { name: "upper-local", exact: true }).waitFor();
    await page.getByRole("button", { name: "Edit upper-local" }).click();
    await page.getByRole("heading", { name: "Edit upper-local" }).waitFor();
    await code.fill("return value.split('@')[0].toLowerCase() + '!';");
    await page.getByTestId("preview-output").getByText('"alice!"').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot("19c-transformer-js-edit", page, false);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("heading", { name: "New transformer" }).waitFor();
    await page.getByRole("cell", { name: /toLowerCase/ }).waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot("19d-transformers-saved", page, false);

    step("settings: create an API key, shown once; regenerate it");
    await page.goto("/settings");
    await page.getByText("Signed in as").waitFor();
    await page.getByLabel("New key name").fill("ci-pipeline");
    await page.getByRole("button", { name: "Create key" }).click();
    const firstKey = await page.getByTestId("new-key").textContent();
    await page.getByRole("cell", { name: "ci-pipeline", exact: true }).waitFor();
    await shot("20-settings-api-keys");
    await page.getByRole("button", { name: "Regenerate ci-pipeline" }).click();
    await shot("20a-settings-regenerate-dialog");
    await page.getByRole("button", { name: "Regenerate key" }).click();
    await page.getByText("New value of ci-pipeline").waitFor();
    const secondKey = await page.getByTestId("new-key").textContent();
    if (!secondKey || secondKey === firstKey) throw new Error("regenerating did not show a new key value");
    await shot("20b-settings-regenerated");

    step("a generate job: synthetic customers written into dev-dest");
    await page.goto("/jobs/new");
    await page.getByLabel("Generate", { exact: false }).first().check();
    await page.getByLabel("Job name").fill("synthetic-customers");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByLabel("Schema from").selectOption({ label: "prod-source (PostgreSQL)" });
    await page.getByLabel("Destination 1 connection").selectOption({ label: "dev-dest (PostgreSQL)" });
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("region", { name: "Table public.customers" }).waitFor();
    if ((await page.locator("#map-public\\.customers\\.id").inputValue()) !== "generate_default") throw new Error("a generate job's untouched column should default to generate_default");
    await page.locator("#map-public\\.customers\\.full_name").selectOption("generate_full_name");
    await page.locator("#map-public\\.customers\\.email").selectOption("generate_email");
    await page.getByRole("button", { name: "Validate and continue" }).click();
    await page.getByLabel("public.customers", { exact: true }).fill("25");
    await page.getByLabel("public.orders", { exact: true }).fill("abc");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText(/A whole number from 1 to/).waitFor();
    await shot("21a-job-generate-rows-error");
    await page.getByLabel("public.orders", { exact: true }).fill("");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "Review" }).waitFor();
    await page.getByLabel("Run the job as soon as it is created").uncheck();
    await page.getByRole("button", { name: "Create job" }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    await page.getByText("public.customers: 25").waitFor();
    await runAndWait();
    const gen = psql(stack.dbs.dest2, "SELECT count(*) || ' ' || count(DISTINCT email) || ' ' || count(*) FILTER (WHERE full_name LIKE 'Customer %') FROM public.customers");
    if (gen !== "25 25 0") throw new Error(`dev-dest after the generate job: ${gen}, want 25 generated customers with distinct emails and no source names`);
    await shot("21b-job-generate-run");
    await page.getByRole("link", { name: "synthetic-customers" }).click();
    await page.getByRole("button", { name: "Edit rows" }).click();
    await page.getByLabel("public.customers", { exact: true }).fill("0");
    await page.getByRole("button", { name: "Save rows" }).click();
    await page.getByText(/A whole number from 1 to/).waitFor();
    await page.getByLabel("public.customers", { exact: true }).fill("30");
    await page.getByRole("button", { name: "Save rows" }).click();
    await page.getByText("public.customers: 30").waitFor();
    // the generate job takes its schema from the staging copy instead (it has the same tables now)
    await page.getByRole("button", { name: "Change schema source" }).click();
    await page.getByLabel("New schema connection").selectOption({ label: "staging-dest (PostgreSQL)" });
    await shot("21c-job-generate-change-source");
    await page.getByRole("button", { name: "Change source" }).click();
    await page.getByRole("link", { name: "staging-dest" }).first().waitFor();
    await page.getByText("public.customers: 30").waitFor();
    await shot("21d-job-generate-detail");

    step("narrow screen (390px)");
    const phone = await page.context().browser().newContext({ viewport: { width: 390, height: 844 }, baseURL: appURL, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
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
    await m.goto(jobURL);
    await m.getByRole("button", { name: "Edit mappings" }).click();
    await m.locator("#map-public\\.orders\\.note").waitFor();
    await m.getByRole("button", { name: "Parameters: preserve_domain=true" }).click();
    await shot("25-mobile-job-mappings-edit", m);
    await m.getByRole("button", { name: "Cancel" }).first().click();
    await m.getByRole("button", { name: "Edit subset" }).click();
    await m.getByLabel("public.customers", { exact: true }).waitFor();
    await m.getByRole("button", { name: "Edit destination staging-dest" }).click();
    await shot("26-mobile-job-edit", m);
    await m.goto("/jobs/new");
    await m.getByLabel("Job name").fill("mobile-job");
    await m.getByRole("button", { name: "Continue" }).click();
    await m.getByLabel("Source", { exact: true }).selectOption({ label: "prod-source (PostgreSQL)" });
    await m.getByLabel("Destination 1 connection").selectOption({ label: "staging-dest (PostgreSQL)" });
    await shot("27-mobile-wizard-connect", m);
    await m.getByRole("button", { name: "Continue" }).click();
    await m.getByRole("region", { name: "Bulk apply" }).getByLabel("Select columns of type").selectOption("text");
    await shot("28-mobile-wizard-schema", m);
    await m.getByRole("button", { name: "Validate and continue" }).click();
    await m.getByLabel("public.customers", { exact: true }).fill("id <= 10");
    await m.getByRole("button", { name: "Preview rows" }).first().click();
    await m.getByText("10 of 500 rows match (2%)").waitFor();
    await m.getByTestId("subset-sample-public.customers").getByRole("table").waitFor();
    await shot("29-mobile-wizard-subset", m);
    await m.goto("/transformers");
    await m.getByLabel("System transformer").selectOption("transform_javascript");
    await m.locator("#t-param-code").fill("return value +;");
    await m.getByRole("button", { name: "Check code" }).click();
    await m.getByText(/^Line 1, column \d+: /).waitFor();
    await m.locator("#t-param-code").evaluate((el) => el.closest("fieldset").scrollIntoView());
    await shot("30-mobile-transformer-js", m, false);
    await m.goto("/settings");
    await m.getByRole("button", { name: "Regenerate ci-pipeline" }).waitFor();
    await shot("31-mobile-settings", m);
    await phone.close();

    assertNoPageErrors(pageErrors);
    step(`passed: ${readdirSync(shots).length} screenshots in ${shots}`);
  } catch (e) {
    failed = true;
    await reportFailure("E2E", e, page, join(shots, "zz-failure.png"));
  } finally {
    await runCleanups(cleanups);
  }
  process.exit(failed ? 1 : 0);
}

main();
