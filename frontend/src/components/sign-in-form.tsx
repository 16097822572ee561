"use client";

import { useEffect, useRef, useState, type FormEvent } from "react";
import { SESSION_PATH, safeNext, type SessionState, type SignedIn } from "@/lib/sign-in";
import { signOut } from "@/lib/web-session";
import { Button, Field, inputClass } from "./ui";

/** Notice is what the page says above the form, from why the user arrived. */
function notice(session: SessionState | undefined, redirected: boolean, signedOut: boolean): string | undefined {
  if (signedOut) return "You are signed out.";
  if (session?.signedIn && redirected) return "The API no longer accepts this session's key (it expired or was revoked). Sign in again.";
  if (session?.signedIn) return "You are already signed in; signing in with another key replaces that session.";
  if (redirected) return "This Neosync API requires an API key. Sign in to continue.";
  return undefined;
}

/**
 * postSignIn sends the key to the web app's server (never to the API from
 * here): it checks the key with the API and keeps it in an HTTP-only cookie.
 * It resolves to who the key is, or rejects with the server's readable error.
 */
async function postSignIn(apiKey: string): Promise<SignedIn> {
  let res: Response;
  try {
    res = await fetch(SESSION_PATH, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ apiKey }) });
  } catch {
    throw new Error("The web app is not reachable. Check your network and try again.");
  }
  const body = (await res.json().catch(() => ({}))) as Partial<SignedIn> & { error?: string };
  if (!res.ok) throw new Error(body.error || `Sign-in failed (HTTP ${res.status}).`);
  return body as SignedIn;
}

/** SignInForm takes an API key, signs in through /auth/session and goes on to next. */
export function SignInForm({ next, signedOut }: { next?: string; signedOut?: boolean }) {
  const [apiKey, setApiKey] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [session, setSession] = useState<SessionState>();
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    fetch(SESSION_PATH, { cache: "no-store" })
      .then((r) => (r.ok ? (r.json() as Promise<SessionState>) : undefined))
      .then(setSession, () => {});
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (!apiKey.trim()) {
      setError("Enter an API key.");
      input.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await postSignIn(apiKey.trim());
      // A full load, so no answer cached before sign-in survives.
      window.location.assign(safeNext(next));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
      input.current?.select();
    }
  };

  const said = notice(session, !!next, !!signedOut);
  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      {said && (
        <div role="status" className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
          <p>{said}</p>
          {session?.signedIn && (
            // Also the way out of a session whose key the API refuses while
            // it runs without authentication (nothing else would end it).
            <button type="button" className="mt-1 font-medium text-indigo-700 underline hover:text-indigo-600" onClick={() => signOut().catch((e: Error) => setError(e.message))}>
              Sign out of this session
            </button>
          )}
        </div>
      )}
      <Field
        label="API key"
        htmlFor="api-key"
        hint={
          <>
            An account key, e.g. from <code className="font-mono">neosync-api apikey create -account NAME</code> or Settings → API keys. It stays on the web app&apos;s server, never in this browser.
          </>
        }
      >
        <input
          ref={input}
          id="api-key"
          name="api-key"
          type="password"
          className={inputClass}
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          placeholder="neo_ak_…"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "api-key-error" : undefined}
        />
      </Field>
      {error && (
        <p id="api-key-error" role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <Button type="submit" variant="primary" busy={busy} className="w-full">
        Sign in
      </Button>
    </form>
  );
}
