"use client";

import { useQuery } from "@connectrpc/connect-query";
import { UserAccountService, UserAccountType, type UserAccount } from "@/gen/mgmt/v1alpha1/user_account_pb";

/**
 * useAccount returns the account the app works in: the personal account
 * (the only one in single-user mode), else the first the user belongs to.
 */
export function useAccount(): { account?: UserAccount; isLoading: boolean; error: unknown } {
  const q = useQuery(UserAccountService.method.getUserAccounts, {}, { staleTime: 5 * 60_000 });
  const accounts = q.data?.accounts ?? [];
  const account = accounts.find((a) => a.type === UserAccountType.PERSONAL) ?? accounts[0];
  return { account, isLoading: q.isLoading, error: q.error };
}
