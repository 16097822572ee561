// Runs once when the web app's server starts: checks the session secret
// before the first request, so a bad NEOSYNC_WEB_SESSION_SECRET stops the
// start with a message naming it, and an unset one is announced once.

/** register is Next's start-up hook. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { SessionSecretError, sessionKey } = await import("@/lib/session");
  let generated: boolean;
  try {
    generated = sessionKey().generated;
  } catch (err) {
    if (!(err instanceof SessionSecretError)) throw err;
    // Next would only log this and answer 500 to every request: stop instead.
    console.error(`neosync web app: ${err.message}`);
    process.exit(1);
  }
  if (generated) {
    console.warn(
      "NEOSYNC_WEB_SESSION_SECRET is not set: API-key sign-in sessions are sealed with a random key made at start and end when the web app restarts (set it to `openssl rand -hex 32` to keep them)",
    );
  }
}
