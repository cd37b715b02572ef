import { echoInput } from "../../core/echo.js";
import { CliError } from "../errors.js";

/** How long the CLI waits for one answer from a server. */
const TIMEOUT_MS = 30_000;

/**
 * `fetch` for the CLI: never follows a redirect (a bearer token or a
 * password must not travel to another origin), gives up after
 * {@link TIMEOUT_MS}, and turns an unreachable server into one line
 * naming it.
 */
export async function send(server: string, url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const reason =
      (error as Error).name === "TimeoutError"
        ? `no answer within ${TIMEOUT_MS / 1000} s`
        : typeof cause?.code === "string"
          ? cause.code
          : (error as Error).message;
    throw new CliError("unreachable", `Cannot reach ${server} (${reason})`);
  }
  if (response.status >= 300 && response.status < 400) {
    throw new CliError(
      "unreachable",
      `${server} answered with a redirect (${response.status}); log in with the URL it redirects to`,
    );
  }
  return response;
}

/** A failure answer's body as JSON, or undefined when it is not JSON. */
export async function jsonOf(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A string member of an answer, shown safely (a server's text is not trusted on a terminal). */
export function member(body: unknown, name: string): string | undefined {
  const value =
    typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === "string" ? echoInput(value, 500) : undefined;
}
