"use client";

import { useQuery } from "@connectrpc/connect-query";
import { useSyncExternalStore } from "react";
import { UserAccountService, UserAccountType, type UserAccount } from "@/gen/mgmt/v1alpha1/user_account_pb";
import { deniedReason, type Permission } from "./permissions";

/** ACCOUNT_STORAGE_KEY is where this browser remembers the account chosen in the switcher. */
export const ACCOUNT_STORAGE_KEY = "neosync.account";
const CHANGED = "neosync:account-changed";

/**
 * pickAccount chooses the account the app works in: the one chosen in the
 * switcher while the caller still belongs to it, else the personal account
 * (the only one in single-user mode), else the first.
 */
export function pickAccount<T extends Pick<UserAccount, "id" | "type">>(accounts: T[], chosen: string | null | undefined): T | undefined {
  return accounts.find((a) => a.id === chosen) ?? accounts.find((a) => a.type === UserAccountType.PERSONAL) ?? accounts[0];
}

function readChosen(): string | null {
  try {
    return window.localStorage.getItem(ACCOUNT_STORAGE_KEY);
  } catch {
    return null;
  }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener(CHANGED, onChange);
  // Another tab switching accounts switches this one too.
  window.addEventListener("storage", onChange);
  return () => {
    window.removeEventListener(CHANGED, onChange);
    window.removeEventListener("storage", onChange);
  };
}

/** chooseAccount makes id the account every page works in (remembered in this browser). */
export function chooseAccount(id: string): void {
  try {
    window.localStorage.setItem(ACCOUNT_STORAGE_KEY, id);
  } catch {
    // Storage disabled: the choice lasts until the page reloads.
  }
  window.dispatchEvent(new Event(CHANGED));
}

/** useAccounts lists the accounts the caller may act in, with their role in each. */
export function useAccounts() {
  return useQuery(UserAccountService.method.getUserAccounts, {}, { staleTime: 5 * 60_000 });
}

/** useAccount returns the account the app works in (see pickAccount). */
export function useAccount(): { account?: UserAccount; isLoading: boolean; error: unknown } {
  const q = useAccounts();
  const chosen = useSyncExternalStore(subscribe, readChosen, () => null);
  const account = pickAccount(q.data?.accounts ?? [], chosen);
  return { account, isLoading: q.isLoading, error: q.error };
}

/**
 * useDenied returns why the caller may not act with perm in accountId (by
 * default the current account) — a sentence for a disabled button's title
 * and the page — or undefined when they may.
 */
export function useDenied(perm: Permission, accountId?: string): string | undefined {
  const { account } = useAccount();
  const accounts = useAccounts().data?.accounts ?? [];
  return deniedReason((accountId && accounts.find((a) => a.id === accountId)) || account, perm);
}
