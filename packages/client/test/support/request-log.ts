import { randomUUID } from "node:crypto";
import type { Exchange } from "./recording-fetch.js";
import type { Tessera } from "./tessera.js";

/** One request as the server's access log has it. */
export interface LoggedRequest {
  readonly method: string;
  readonly url: string;
  readonly statusCode: number | undefined;
}

function parse(line: string): LoggedRequest | undefined {
  try {
    const entry = JSON.parse(line) as {
      msg?: unknown;
      req?: { method?: unknown; url?: unknown };
      res?: { statusCode?: unknown };
    };
    if (
      entry.msg !== "request completed" ||
      typeof entry.req?.method !== "string" ||
      typeof entry.req.url !== "string"
    ) {
      return undefined;
    }
    return {
      method: entry.req.method,
      url: entry.req.url,
      statusCode: typeof entry.res?.statusCode === "number" ? entry.res.statusCode : undefined,
    };
  } catch {
    return undefined;
  }
}

/** Sends a request only the marker has, and waits until the server has logged it. */
async function logMarker(tessera: Tessera): Promise<{ readonly url: string; readonly at: number }> {
  const url = `/healthz?mark=${randomUUID()}`;
  await (await fetch(`${tessera.url}${url}`)).text();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const output = tessera.output();
    const at = output.indexOf(`"url":"${url}"`);
    if (at >= 0) {
      return { url, at: output.indexOf("\n", at) + 1 };
    }
    if (Date.now() > deadline) {
      throw new Error("the server never logged the marker request");
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A point in the server's log after every request sent so far: the server
 * writes its log asynchronously, so a marker request is sent, and the point
 * is after its line. Pass it to {@link requestsLoggedSince}.
 *
 * @example
 * const from = await logMark(tessera);
 */
export async function logMark(tessera: Tessera): Promise<number> {
  return (await logMarker(tessera)).at;
}

/**
 * The requests the server logged ("request completed", at level info)
 * between `from` and now, read up to a second marker.
 *
 * @example
 * const from = await logMark(tessera);
 * await client.getAccessToken();
 * const refreshes = (await requestsLoggedSince(tessera, from)).filter(isRequest("POST", "/auth/token"));
 */
export async function requestsLoggedSince(
  tessera: Tessera,
  from: number,
): Promise<LoggedRequest[]> {
  const marker = await logMarker(tessera);
  const logged = tessera
    .output()
    .slice(from, marker.at)
    .split("\n")
    .map(parse)
    .filter((entry) => entry !== undefined);
  return logged.filter((entry) => entry.url !== marker.url);
}

/**
 * Matches a request (logged by the server, or recorded by the SDK's fetch)
 * by method and path, whatever its query.
 *
 * @example
 * exchanges.filter(isRequest("POST", "/auth/token"));
 */
export function isRequest(method: string, path: string) {
  return (request: LoggedRequest | Exchange): boolean =>
    request.method === method && new URL(request.url, "http://x").pathname === path;
}
