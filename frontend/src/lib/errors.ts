import { Code, ConnectError } from "@connectrpc/connect";

/** errorMessage turns any thrown value into the sentence a user should read. */
export function errorMessage(err: unknown): string {
  if (err instanceof ConnectError) {
    if (err.code === Code.Unavailable) return "The Neosync API is not reachable. Check that it is running and that NEOSYNC_API_URL points at it.";
    return err.rawMessage || Code[err.code];
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/** isCode reports whether err is a ConnectError with the given code. */
export function isCode(err: unknown, code: Code): boolean {
  return err instanceof ConnectError && err.code === code;
}
