import type { Metadata } from "next";
import { SignInForm } from "@/components/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

/**
 * SignInPage is where an API that runs with NEOSYNC_AUTH_MODE=apikey sends a
 * browser without a session (?next= is the page to return to). The shell
 * shows it without navigation: nothing else works before sign-in.
 */
export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[]; signed_out?: string }> }) {
  const sp = await searchParams;
  const next = typeof sp.next === "string" ? sp.next : undefined;
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
          <p className="mb-5 mt-1 text-sm text-slate-600">Sign in with an API key of the account you want to work in.</p>
          <SignInForm next={next} signedOut={sp.signed_out === "1"} />
        </section>
      </div>
    </div>
  );
}
