// Starts a private Neosync backend for end-to-end tests and local development:
// a fresh Postgres database for the API's state, two scratch databases (a
// source with a small schema and rows, an empty destination), a Temporal dev
// server, the API and a worker. Everything it starts is recorded and torn
// down by stop(), so two stacks never share state.
//
// Run directly (`node e2e/stack.mjs`) to keep a stack up while developing; it
// prints NEOSYNC_API_URL and stops everything on Ctrl-C.

import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { mkdirSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../..");
const PG = process.env.E2E_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable";

/** pgURL returns the URL of database db on the test Postgres server. */
export function pgURL(db) {
  const u = new URL(PG);
  u.pathname = "/" + db;
  return u.toString();
}

/** psql runs SQL against db and returns its unaligned output. */
export function psql(db, sql) {
  return execFileSync("psql", [pgURL(db), "-v", "ON_ERROR_STOP=1", "-qtAc", sql], { encoding: "utf8" }).trim();
}

/** freePort asks the kernel for a free loopback port. */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** waitFor polls check() until it returns true or seconds pass. */
export async function waitFor(what, check, seconds, proc) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (proc && proc.exitCode !== null) throw new Error(`${what} exited with code ${proc.exitCode}; see ${proc.logPath}`);
    try {
      if (await check()) return;
    } catch {
      // not ready yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} was not ready after ${seconds}s${proc ? `; see ${proc.logPath}` : ""}`);
}

const SOURCE_SQL = `
CREATE TABLE public.customers (
  id serial PRIMARY KEY,
  full_name text NOT NULL,
  email text NOT NULL UNIQUE,
  phone text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE public.orders (
  id serial PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES public.customers(id),
  amount_cents integer NOT NULL,
  note text
);
INSERT INTO public.customers (full_name, email, phone)
SELECT 'Customer ' || g, 'customer' || g || '@example.com', '+1-555-' || lpad(g::text, 4, '0')
FROM generate_series(1, 500) g;
INSERT INTO public.orders (customer_id, amount_cents, note)
SELECT 1 + (g % 500), 100 * g, 'order ' || g FROM generate_series(1, 2000) g;
`;

/**
 * startStack starts the backend and returns its URLs and stop().
 * logDir receives one log file per process. apiEnv and workerEnv are added
 * to (and override) the API's and the worker's environment, e.g. to run
 * with compose.yml's settings (NEOSYNC_AUTH_MODE=apikey, its deny list).
 */
export async function startStack({ logDir = join(tmpdir(), `neosync-e2e-${process.pid}`), log = () => {}, apiEnv: apiExtra = {}, workerEnv: workerExtra = {} } = {}) {
  mkdirSync(logDir, { recursive: true });
  const suffix = `${process.pid}_${randomBytes(3).toString("hex")}`;
  const dbs = { state: `nse2e_state_${suffix}`, source: `nse2e_src_${suffix}`, dest: `nse2e_dst_${suffix}`, dest2: `nse2e_dst2_${suffix}` };
  const procs = [];
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const p of procs.reverse()) {
      if (p.exitCode === null) {
        try {
          process.kill(p.pid, "SIGTERM");
        } catch {
          // already gone
        }
      }
    }
    await Promise.all(
      procs.map(
        (p) =>
          new Promise((r) => {
            if (p.exitCode !== null) return r();
            const t = setTimeout(() => {
              try {
                process.kill(p.pid, "SIGKILL");
              } catch {
                // already gone
              }
              r();
            }, 5000);
            p.once("exit", () => {
              clearTimeout(t);
              r();
            });
          }),
      ),
    );
    for (const db of Object.values(dbs)) {
      try {
        psql("postgres", `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      } catch (e) {
        console.error(`could not drop database ${db}: ${e.message}`);
      }
    }
  };

  const start = (name, cmd, args, env) => {
    const logPath = join(logDir, `${name}.log`);
    const fd = openSync(logPath, "w");
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", fd, fd], cwd: repoRoot });
    p.logPath = logPath;
    procs.push(p);
    return p;
  };

  try {
    for (const bin of ["bin/neosync-api", "bin/neosync-worker", ".bin/temporal"]) {
      try {
        execFileSync("test", ["-x", join(repoRoot, bin)]);
      } catch {
        throw new Error(`${bin} is missing: run \`make build\` (and \`make .bin/temporal\`) in ${repoRoot} first`);
      }
    }
    log("creating databases");
    for (const db of Object.values(dbs)) psql("postgres", `CREATE DATABASE "${db}"`);
    psql(dbs.source, SOURCE_SQL);

    const [tPort, tUIPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    log(`starting Temporal dev server on 127.0.0.1:${tPort}`);
    const temporal = start("temporal", join(repoRoot, ".bin/temporal"), [
      "server", "start-dev", "--ip", "127.0.0.1", "--port", String(tPort), "--ui-port", String(tUIPort),
      "--headless", "--log-level", "warn",
    ]);
    const temporalURL = `127.0.0.1:${tPort}`;
    await waitFor(
      "Temporal",
      () => {
        const out = execFileSync(join(repoRoot, ".bin/temporal"), ["operator", "cluster", "health", "--address", temporalURL], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
        return out.includes("SERVING");
      },
      90,
      temporal,
    );

    const apiEnv = {
      NEOSYNC_DB_URL: pgURL(dbs.state),
      NEOSYNC_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
      DB_AUTO_MIGRATE: "true",
      NEOSYNC_LISTEN_ADDR: `127.0.0.1:${apiPort}`,
      TEMPORAL_URL: temporalURL,
      NEOSYNC_AUTH_MODE: "none",
      ...apiExtra,
    };
    const apiURL = `http://127.0.0.1:${apiPort}`;
    log(`starting the API on ${apiURL}`);
    const api = start("api", join(repoRoot, "bin/neosync-api"), ["serve"], apiEnv);
    await waitFor("API", async () => (await fetch(`${apiURL}/healthz`)).ok, 60, api);

    const workerKey = execFileSync(join(repoRoot, "bin/neosync-api"), ["apikey", "create", "-worker", "-name", "e2e-worker"], {
      env: { ...process.env, ...apiEnv },
      encoding: "utf8",
    }).trim();
    log("starting the worker");
    const worker = start("worker", join(repoRoot, "bin/neosync-worker"), ["serve"], {
      NEOSYNC_API_URL: apiURL,
      NEOSYNC_API_KEY: workerKey,
      TEMPORAL_URL: temporalURL,
      ...workerExtra,
    });
    await new Promise((r) => setTimeout(r, 1000));
    if (worker.exitCode !== null) throw new Error(`the worker exited; see ${worker.logPath}`);

    return {
      apiURL,
      /** apiEnv is the API's environment, for `neosync-api apikey create` against this stack. */
      apiEnv,
      logDir,
      sourceURL: pgURL(dbs.source),
      destURL: pgURL(dbs.dest),
      dest2URL: pgURL(dbs.dest2),
      dbs,
      start,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const stack = await startStack({ log: (m) => console.log(`==> ${m}`) });
  console.log(`\nNEOSYNC_API_URL=${stack.apiURL}\nsource: ${stack.sourceURL}\ndestination: ${stack.destURL}\nlogs: ${stack.logDir}\nCtrl-C stops everything.`);
  const bye = async () => {
    await stack.stop();
    process.exit(0);
  };
  process.on("SIGINT", bye);
  process.on("SIGTERM", bye);
  setInterval(() => {}, 1 << 30);
}

// reportFailure prints why an end-to-end script failed and, when a page is
// open, saves a screenshot of it as shot (a path) and says where.
export async function reportFailure(label, e, page, shot) {
  console.error(`\n${label} FAILED: ${e instanceof Error ? e.message : e}`);
  if (page) {
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    console.error(`the page at failure (${page.url()}): ${shot}`);
  }
}

// runCleanups runs cleanups in order; one that fails is reported and the
// others still run.
export async function runCleanups(cleanups) {
  for (const c of cleanups) {
    try {
      await c();
    } catch (e) {
      console.error(`cleanup: ${e.message}`);
    }
  }
}

/** CHROMIUM is the browser the end-to-end scripts drive: Debian's Chromium, or $CHROMIUM. */
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** stepper returns a logger that prefixes each message with the seconds since the script started and label. */
export function stepper(label) {
  const started = Date.now();
  const prefix = label ? `${label} ` : "";
  return (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${prefix}${msg}`);
}

/** apiCall posts a Connect JSON request to the API at base and returns the decoded response; an HTTP error throws with the API's answer. */
export async function apiCall(base, method, body, headers = {}) {
  const res = await fetch(`${base}/mgmt.v1alpha1.${method}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
  const out = await res.json();
  if (!res.ok) throw new Error(`${method}: ${res.status} ${JSON.stringify(out)}`);
  return out;
}

/**
 * startWebApp serves the built web app (`next start`) on a free loopback port
 * against stack's API, with its output in stack.logDir/<logName>.log and
 * .err.log and env added to its environment, and returns its URL once
 * readyPath answers. Stopping it is put first in cleanups.
 */
export async function startWebApp(stack, cleanups, { env = {}, readyPath = "/connections", logName = "next" } = {}) {
  const port = await freePort();
  const appURL = `http://127.0.0.1:${port}`;
  const appDir = resolve(repoRoot, "frontend");
  const next = spawn(join(appDir, "node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: appDir,
    env: { ...process.env, ...env, NEOSYNC_API_URL: stack.apiURL, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", openSync(join(stack.logDir, `${logName}.log`), "w"), openSync(join(stack.logDir, `${logName}.err.log`), "w")],
  });
  next.logPath = join(stack.logDir, `${logName}.log`);
  cleanups.unshift(() => new Promise((r) => (next.exitCode !== null ? r() : (next.once("exit", r), next.kill("SIGTERM")))));
  await waitFor("web app", async () => (await fetch(`${appURL}${readyPath}`)).ok, 60, next);
  return appURL;
}

/**
 * openPage launches headless Chromium (CHROMIUM, with the flags this offline
 * machine needs), closed first among cleanups, and returns a 1280×900 page
 * whose relative URLs go to baseURL.
 */
export async function openPage(chromium, baseURL, cleanups) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  cleanups.unshift(() => browser.close());
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL });
  return ctx.newPage();
}

/** watchPageErrors records page's uncaught errors and console errors into the returned list (and into errors, when given). */
export function watchPageErrors(page, errors = []) {
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
  return errors;
}

/** assertNoPageErrors throws listing the recorded errors, leaving out failed resource loads (the tests provoke HTTP errors on purpose). */
export function assertNoPageErrors(errors) {
  const real = errors.filter((e) => !/Failed to load resource/.test(e));
  if (real.length) throw new Error(`the browser reported errors:\n  ${real.join("\n  ")}`);
}
