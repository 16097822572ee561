// Server side of sign-in: asks the API who an API key belongs to before a
// session is made from it, and turns every way that can fail into a sentence
// for the sign-in page. Runs in route handlers only (it holds the raw key).

import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { UserAccountService, UserAccountType } from "@/gen/mgmt/v1alpha1/user_account_pb";
import { MAX_API_KEY_LENGTH } from "./session";

/** Identity is who a key acts as: its machine user and its account. */
export interface Identity {
  /** userName is the user's display name ("API key: ci" for an account key). */
  userName: string;
  accountName: string;
  accountType: "personal" | "team";
}

/** SignInError is a refused sign-in: the HTTP status to answer and a message the user can act on. */
export class SignInError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "SignInError";
  }
}

/** checkKeyShape refuses what cannot be a key before the API is asked. */
export function checkKeyShape(apiKey: unknown): string {
  if (typeof apiKey !== "string" || !apiKey.trim()) throw new SignInError(400, "Enter an API key.");
  const key = apiKey.trim();
  if (key.length > MAX_API_KEY_LENGTH || /\s/.test(key)) {
    throw new SignInError(400, "That is not an API key: keys are one word of letters, digits, '-' and '_' (e.g. neo_ak_…).");
  }
  return key;
}

/**
 * identifyKey asks the API (GetUser, then GetUserAccounts) who apiKey is. A
 * key the API refuses, a worker key and an unreachable API each become a
 * SignInError (see signInFailure).
 */
export async function identifyKey(apiKey: string, baseUrl: string): Promise<Identity> {
  const bearer: Interceptor = (next) => (req) => {
    req.header.set("Authorization", `Bearer ${apiKey}`);
    return next(req);
  };
  const client = createClient(UserAccountService, createConnectTransport({ baseUrl, interceptors: [bearer] }));
  try {
    const { user } = await client.getUser({}, { timeoutMs: 10_000 });
    const { accounts } = await client.getUserAccounts({}, { timeoutMs: 10_000 });
    const account = accounts.find((a) => a.type === UserAccountType.PERSONAL) ?? accounts[0];
    return {
      userName: user?.displayName || user?.id || "unknown user",
      accountName: account?.name ?? "",
      accountType: account?.type === UserAccountType.PERSONAL ? "personal" : "team",
    };
  } catch (err) {
    throw signInFailure(err);
  }
}

/** signInFailure maps an error from the API (or the network) to what the sign-in page shows. */
export function signInFailure(err: unknown): SignInError {
  if (err instanceof SignInError) return err;
  // A failed fetch (refused connection, unknown host) arrives as a
  // ConnectError Unknown whose cause is the fetch's TypeError.
  const unreachable = !(err instanceof ConnectError) || (err.code === Code.Unknown && err.cause instanceof TypeError);
  const code = unreachable ? Code.Unavailable : (err as ConnectError).code;
  switch (code) {
    case Code.Unauthenticated:
      return new SignInError(401, "The API did not accept this key: it is unknown, expired or revoked. Check that you copied the whole key.");
    case Code.PermissionDenied:
      return new SignInError(403, "This key may not sign in to the web app (a worker key?). Use an account key: `neosync-api apikey create -account NAME`, or Settings → API keys.");
    case Code.Unavailable:
    case Code.DeadlineExceeded:
      return new SignInError(502, "The Neosync API is not reachable from the web app. Check that it is running and that NEOSYNC_API_URL points at it.");
    default:
      return new SignInError(502, `The API could not check this key: ${(err as ConnectError).rawMessage || Code[code]}`);
  }
}
