"use client";

import { useQuery } from "@tanstack/react-query";
import { SESSION_PATH, SIGN_IN_PATH, type SessionState } from "./sign-in";

/**
 * useWebSession tells whether this browser signed in with an API key (the
 * key itself stays on the server). In single-user mode nobody signs in, and
 * the shell shows no sign-out.
 */
export function useWebSession() {
  return useQuery({
    queryKey: ["web-session"],
    queryFn: async (): Promise<SessionState> => {
      const res = await fetch(SESSION_PATH, { cache: "no-store" });
      if (!res.ok) throw new Error(`session check failed (HTTP ${res.status})`);
      return res.json();
    },
    staleTime: 60_000,
  });
}

/** signOut ends the session on the server and goes to the sign-in page (a full load drops every cached answer). */
export async function signOut(): Promise<void> {
  const res = await fetch(SESSION_PATH, { method: "DELETE" });
  if (!res.ok) throw new Error(`Sign-out failed (HTTP ${res.status}).`);
  window.location.assign(`${SIGN_IN_PATH}?signed_out=1`);
}
