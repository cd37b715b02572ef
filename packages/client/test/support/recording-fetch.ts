import type { FetchLike } from "../../src/index.js";

/** One request the SDK sent, and the status it got (undefined when it got none). */
export interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  readonly status: number | undefined;
  readonly responseHeaders: Readonly<Record<string, string>>;
}

/**
 * Node's own fetch, recording every request the SDK sends through it: the
 * suites count requests and read what went on the wire, against the real
 * server.
 */
export function recordingFetch(): { readonly fetch: FetchLike; readonly exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  const recorder: FetchLike = async (input, init) => {
    const request = new Request(input, init);
    const base = {
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers.entries()),
      body: typeof init?.body === "string" ? init.body : undefined,
    };
    try {
      const response = await fetch(request);
      const exchange = {
        ...base,
        status: response.status,
        responseHeaders: Object.fromEntries(response.headers.entries()),
      };
      exchanges.push(exchange);
      return response;
    } catch (error) {
      exchanges.push({ ...base, status: undefined, responseHeaders: {} });
      throw error;
    }
  };
  return { fetch: recorder, exchanges };
}
