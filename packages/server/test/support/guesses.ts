/** Helpers for the tests of guessing under the login and step-up throttles. */
import type { LightMyRequestResponse } from "fastify";
import { describe } from "vitest";
import { type Harness, TENANT } from "./harness.js";
import {
  describeWithService,
  newRedisPrefix,
  newTestSchema,
  POSTGRES_URL,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
} from "./services.js";

const redisUp = await redisAvailable();
const postgresUp = await postgresAvailable();

/**
 * Declares `suites` twice: with the in-memory cache, and with Redis under a
 * prefix of its own (so runs sharing the Redis never meet). `cacheEnv`
 * gives the settings for a harness on that cache; call it once per
 * deployment, since each call on Redis is a fresh prefix.
 */
export function describeOnEachCache(
  title: string,
  suites: (cacheEnv: () => Record<string, string>) => void,
): void {
  describe(`${title} (in-memory cache)`, () => suites(() => ({})));
  describeWithService("Redis", redisUp, `${title} (Redis)`, () =>
    suites(() => ({ TESSERA_REDIS_URL: REDIS_URL, TESSERA_REDIS_PREFIX: newRedisPrefix() })),
  );
}

/**
 * Declares `suites` for two instances of one deployment sharing one Redis
 * and one PostgreSQL schema (both fresh); `env` gives the first instance's
 * settings, for `startHarness`, and `startSecondInstance` adds the other.
 */
export function describeTwoInstances(
  title: string,
  suites: (env: () => Record<string, string>) => void,
): void {
  describeWithService("PostgreSQL", postgresUp, title, () => {
    describeWithService("Redis", redisUp, "on one Redis", () =>
      suites(() => ({
        TESSERA_DATABASE_URL: POSTGRES_URL,
        TESSERA_DATABASE_SCHEMA: newTestSchema(),
        TESSERA_REDIS_URL: REDIS_URL,
        TESSERA_REDIS_PREFIX: newRedisPrefix(),
      })),
    );
  });
}

/** How many answers had each status, e.g. `{ 401: 10, 429: 50 }`. */
export function statusCounts(responses: readonly LightMyRequestResponse[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { statusCode } of responses) {
    counts[statusCode] = (counts[statusCode] ?? 0) + 1;
  }
  return counts;
}

/**
 * How many audit events of `type` name `username`: `login.failed` counts
 * the attempts that reached the password check, `login.throttled` those
 * refused before it.
 */
export async function loginEvents(
  h: Harness,
  type: "login.failed" | "login.throttled" | "login.succeeded",
  username: string,
): Promise<number> {
  const events = await h.runtime.ctx.store.audit.list(TENANT, { limit: 1000 });
  return events.filter((event) => event.type === type && event.detail.username === username).length;
}

/** `count` copies of `attempt()`, all started at once. */
export function inParallel<T>(count: number, attempt: (index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => attempt(index)));
}
