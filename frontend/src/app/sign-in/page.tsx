import type { Metadata } from "next";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { SignInForm } from "@/components/sign-in-form";
import { UserAccountService } from "@/gen/mgmt/v1alpha1/user_account_pb";
import { apiBaseURL } from "@/lib/api-url";

export const metadata: Metadata = { title: "Sign in" };

/** authMode asks the API (before sign-in) how people sign in; undefined when it cannot be asked. */
async function authMode(): Promise<string | undefined> {
  try {
    const api = createClient(UserAccountService, createConnectTransport({ baseUrl: apiBaseURL() }));
    return (await api.getSystemInformation({}, { timeoutMs: 5_000 })).authMode;
  } catch {
    return undefined;
  }
}

/**
 * SignInPage is where an API that runs with NEOSYNC_AUTH_MODE=apikey or oidc
 * sends a browser without a session (?next= is the page to return to). In
 * oidc mode it offers the identity provider first; an API key works in both.
 * The shell shows it without navigation: nothing else works before sign-in.
 */
export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[]; signed_out?: string; error?: string }> }) {
  const sp = await searchParams;
  const next = typeof sp.next === "string" ? sp.next : undefined;
  const oidc = (await authMode()) === "oidc";
  const start = `/auth/oidc/start${next ? `?next=${encodeURIComponent(next)}` : ""}`;
  return (
    <div className="flex min-h-screen items-start justify-center bg-slate-100 px-4 py-12 sm:items-center sm:py-16">
      <div className="w-full max-w-md">
        <div className="mb-6 flex items-center justify-center gap-2 text-lg font-semibold tracking-tight text-slate-900">
          <span className="grid h-8 w-8 place-items-center rounded-md bg-indigo-500 text-sm text-white" aria-hidden="true">
            N
          </span>
          Neosync
        </div>
        <section className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
          <h1 className="text-xl font-semibold tracking-tight text-slate-900">Sign in</h1>
          {typeof sp.error === "string" && (
            <p role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
              {sp.error}
            </p>
          )}
          {oidc && (
            <>
              <p className="mb-4 mt-1 text-sm text-slate-600">Sign in with your organization&apos;s identity provider.</p>
              <a
                href={start}
                className="inline-flex w-full items-center justify-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2"
              >
                Sign in with your identity provider
              </a>
              <p className="mb-3 mt-6 text-sm text-slate-600">Or with an API key:</p>
            </>
          )}
          {!oidc && <p className="mb-5 mt-1 text-sm text-slate-600">Sign in with an API key of the account you want to work in.</p>}
          <SignInForm next={next} signedOut={sp.signed_out === "1"} />
        </section>
      </div>
    </div>
  );
}
