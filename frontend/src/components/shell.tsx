"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useId, useState, type ReactNode } from "react";
import { useQuery } from "@connectrpc/connect-query";
import { UserAccountService, UserAccountType } from "@/gen/mgmt/v1alpha1/user_account_pb";
import { chooseAccount, useAccount, useAccounts } from "@/lib/account";
import { roleLabel } from "@/lib/permissions";
import { SIGN_IN_PATH } from "@/lib/sign-in";
import { signOut, useWebSession } from "@/lib/web-session";
import { cx } from "./ui";

const nav = [
  { href: "/connections", label: "Connections", icon: "M4 7c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3Zm0 0v10c0 1.7 3.6 3 8 3s8-1.3 8-3V7M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3" },
  { href: "/jobs", label: "Jobs", icon: "M4 6h16M4 12h10M4 18h6m8-4 3 3-3 3" },
  { href: "/runs", label: "Runs", icon: "M5 4v16l14-8L5 4Z" },
  { href: "/usage", label: "Usage", icon: "M4 20V10m6 10V4m6 16v-7m4 7H3" },
  { href: "/transformers", label: "Transformers", icon: "M4 7h10m-4 10h10M14 4l3 3-3 3M10 14l-3 3 3 3" },
  { href: "/team", label: "Team", icon: "M16 19v-1a4 4 0 0 0-4-4H7a4 4 0 0 0-4 4v1m18 0v-1a4 4 0 0 0-3-3.9M14 3.1a4 4 0 0 1 0 7.8M13.5 7a4 4 0 1 1-8 0 4 4 0 0 1 8 0Z" },
  { href: "/audit", label: "Audit trail", icon: "M9 5h10M9 12h10M9 19h10M5 5h.01M5 12h.01M5 19h.01" },
  { href: "/settings", label: "Settings", icon: "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6Zm7.4-3a7.4 7.4 0 0 0-.1-1.2l2-1.6-2-3.4-2.4 1a7.3 7.3 0 0 0-2-1.2L14.5 3h-5l-.4 2.6a7.3 7.3 0 0 0-2 1.2l-2.4-1-2 3.4 2 1.6a7.4 7.4 0 0 0 0 2.4l-2 1.6 2 3.4 2.4-1a7.3 7.3 0 0 0 2 1.2l.4 2.6h5l.4-2.6a7.3 7.3 0 0 0 2-1.2l2.4 1 2-3.4-2-1.6c.1-.4.1-.8.1-1.2Z" },
];

function Icon({ d }: { d: string }) {
  return (
    <svg viewBox="0 0 24 24" className="h-5 w-5 shrink-0" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={d} />
    </svg>
  );
}

function Logo() {
  return (
    <Link href="/jobs" className="flex items-center gap-2 font-semibold tracking-tight text-white">
      <span className="grid h-7 w-7 place-items-center rounded-md bg-indigo-500 text-sm">N</span>
      Neosync
    </Link>
  );
}

function NavLinks({ onNavigate }: { onNavigate?: () => void }) {
  const path = usePathname();
  return (
    <ul className="space-y-1">
      {nav.map((n) => {
        const active = path === n.href || path.startsWith(n.href + "/");
        return (
          <li key={n.href}>
            <Link
              href={n.href}
              onClick={onNavigate}
              aria-current={active ? "page" : undefined}
              className={cx(
                "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium",
                active ? "bg-slate-800 text-white" : "text-slate-300 hover:bg-slate-800/60 hover:text-white",
              )}
            >
              <Icon d={n.icon} />
              {n.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

function SignOutButton() {
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string>();
  return (
    <div className="px-3 pb-1">
      <button
        type="button"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          signOut().catch((e: Error) => {
            setFailed(e.message);
            setBusy(false);
          });
        }}
        className="w-full rounded-md px-2 py-1.5 text-left text-sm text-slate-300 ring-1 ring-inset ring-slate-700 hover:bg-slate-800 hover:text-white disabled:opacity-60"
      >
        {busy ? "Signing out…" : "Sign out"}
      </button>
      {failed && (
        <p role="alert" className="mt-1 text-xs text-red-300">
          {failed}
        </p>
      )}
    </div>
  );
}

const NEW_TEAM = "new-team";
const JOIN_TEAM = "join-team";

/**
 * AccountSwitcher chooses the account every page works in (personal or a
 * team, with the caller's role in each), creates a team or joins one with an
 * invitation. A native select: keyboard, screen readers and phones handle it.
 */
function AccountSwitcher() {
  const router = useRouter();
  const { account } = useAccount();
  const accounts = useAccounts().data?.accounts ?? [];
  // The sidebar and the phone drawer each hold one: ids must differ.
  const id = useId();
  if (!account) return null;
  return (
    <div className="px-3 pb-2">
      <label htmlFor={id} className="sr-only">
        Account
      </label>
      <select
        id={id}
        value={account.id}
        onChange={(e) => {
          const v = e.target.value;
          if (v === NEW_TEAM) router.push("/team/new");
          else if (v === JOIN_TEAM) router.push("/invitations");
          else chooseAccount(v);
        }}
        className="w-full rounded-md border-0 bg-slate-800 px-2 py-1.5 text-sm text-slate-100 ring-1 ring-inset ring-slate-700 focus:ring-2 focus:ring-indigo-400 focus:outline-none"
      >
        {accounts.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name} ({a.type === UserAccountType.TEAM ? roleLabel(a.role) : "personal"})
          </option>
        ))}
        <option value={NEW_TEAM}>+ Create a team…</option>
        <option value={JOIN_TEAM}>Join with an invitation…</option>
      </select>
    </div>
  );
}

/**
 * AccountIndicator names the account the app works in and who acts in it:
 * the key's name when signed in with an API key, the person's name when
 * signed in with the identity provider (with Sign out), else the account's
 * type.
 */
function AccountIndicator() {
  const { account, isLoading, error } = useAccount();
  const user = useQuery(UserAccountService.method.getUser, {}, { staleTime: 5 * 60_000 });
  const session = useWebSession();
  const kind = user.data?.user?.kind;
  const who = kind === "machine" || kind === "oidc" ? user.data?.user?.displayName : account?.type === UserAccountType.TEAM ? "Team account" : "Personal account";
  // An account key always acts as admin of its one account: its role says nothing.
  const role = account?.type === UserAccountType.TEAM && kind !== "machine" ? ` · ${roleLabel(account.role)}` : "";
  return (
    <div data-testid="account">
      <div className="flex items-center gap-3 rounded-md px-3 py-2 text-sm">
        <span className="grid h-8 w-8 place-items-center rounded-full bg-slate-700 text-xs font-semibold uppercase text-white" aria-hidden="true">
          {account?.name?.slice(0, 1) ?? "…"}
        </span>
        <div className="min-w-0">
          <p className="truncate font-medium text-white">{isLoading ? "Loading…" : error ? "API unreachable" : (account?.name ?? "No account")}</p>
          <p className="truncate text-xs text-slate-400" title={who}>
            {error ? "check NEOSYNC_API_URL" : `${who ?? ""}${role}`}
          </p>
        </div>
      </div>
      {kind && kind !== "machine" && <AccountSwitcher />}
      {session.data?.signedIn && <SignOutButton />}
    </div>
  );
}

/** Shell is the app frame: a fixed sidebar on wide screens, a drawer below 1024px; the sign-in page goes without it. */
export function Shell({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const path = usePathname();
  useEffect(() => setOpen(false), [path]);
  // Before sign-in there is nothing to navigate to, and the shell's own
  // queries would only be refused.
  if (path === SIGN_IN_PATH) return <main id="main">{children}</main>;
  return (
    <div className="min-h-screen lg:flex">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      {/* Desktop sidebar: the aside stretches with the page, its content stays in view. */}
      <aside className="hidden w-60 shrink-0 bg-slate-900 lg:block" aria-label="Main">
        <div className="sticky top-0 flex h-screen flex-col px-3 py-4">
          <div className="px-3 pb-6">
            <Logo />
          </div>
          <nav className="flex-1">
            <NavLinks />
          </nav>
          <AccountIndicator />
        </div>
      </aside>
      {/* Mobile top bar + drawer */}
      <div className="sticky top-0 z-30 flex items-center justify-between bg-slate-900 px-4 py-3 lg:hidden">
        <Logo />
        <button
          type="button"
          className="rounded-md p-2 text-slate-200 hover:bg-slate-800"
          aria-expanded={open}
          aria-controls="mobile-nav"
          onClick={() => setOpen((o) => !o)}
        >
          <span className="sr-only">{open ? "Close menu" : "Open menu"}</span>
          <Icon d={open ? "M6 6l12 12M18 6 6 18" : "M4 7h16M4 12h16M4 17h16"} />
        </button>
      </div>
      {open && (
        <nav id="mobile-nav" className="sticky top-14 z-20 border-b border-slate-800 bg-slate-900 px-3 pb-3 lg:hidden" aria-label="Main">
          <NavLinks onNavigate={() => setOpen(false)} />
          <div className="mt-2 border-t border-slate-800 pt-2">
            <AccountIndicator />
          </div>
        </nav>
      )}
      <main id="main" className="min-w-0 flex-1">
        <div className="mx-auto max-w-6xl px-4 py-6 sm:px-6 lg:px-8 lg:py-8">{children}</div>
      </main>
    </div>
  );
}
