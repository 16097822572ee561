/**
 * apiBaseURL is where the API listens, as the web app's server reaches it:
 * NEOSYNC_API_URL, read on every call (not at build time) so one build
 * serves any environment.
 */
export function apiBaseURL(env: Record<string, string | undefined> = process.env): string {
  return env.NEOSYNC_API_URL || "http://127.0.0.1:8080";
}
