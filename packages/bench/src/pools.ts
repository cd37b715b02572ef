import { BENCH_USER } from "./deployment.js";
import { field, requestJson } from "./http.js";
import type { LoadRequest } from "./load.js";
import type { Target } from "./scenarios.js";

/**
 * Sessions, refresh tokens or long-term tokens made for one run: each
 * request takes the next one in turn, so the load spreads over many sessions
 * as real traffic does, not one hot row. Under `rotate` a run can strand one
 * token per connection in flight and one per connection prepared when it
 * stops, after its warm-up too: the pool is four times the connections.
 */
export function poolSize(concurrency: number): number {
  return Math.max(64, 4 * concurrency);
}

/** Each request uses the next of `items` in turn, shaped into the request by `shape`. */
export function roundRobin(
  items: readonly string[],
  shape: (item: string) => { body?: string; headers?: Record<string, string> },
): LoadRequest {
  let next = 0;
  return {
    setupRequest: (request) => {
      const item = items[next++ % items.length] ?? "";
      return { ...request, ...shape(item) };
    },
  };
}

/** Logs the bench user in (session API) {@link poolSize} times and returns each session's tokens. */
export async function sessionLogins(
  target: Target,
  apiKey: string,
  concurrency: number,
): Promise<{ accessToken: string; refreshToken: string }[]> {
  const sessions: { accessToken: string; refreshToken: string }[] = [];
  for (let i = 0; i < poolSize(concurrency); i++) {
    const answer = await requestJson(target.url, "/auth/token", {
      headers: { "x-api-key": apiKey },
      body: { username: BENCH_USER, password: target.deployment.password },
    });
    sessions.push({
      accessToken: field(answer, "session", "accessToken"),
      refreshToken: field(answer, "session", "refreshToken"),
    });
  }
  return sessions;
}
