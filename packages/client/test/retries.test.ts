import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthApi,
  Configuration,
  type LongTokenResponse,
  RateLimitedError,
  type RetryOptions,
} from "../src/index.js";
import { sleep } from "../src/retry.js";
import { expectApiError } from "./support/expect-api-error.js";
import { addApiKey, addClient, type ProvisionedClient } from "./support/provision.js";
import { type Exchange, recordingFetch } from "./support/recording-fetch.js";
import { startTessera, type Tessera } from "./support/tessera.js";

/**
 * Retries against the server's real request budgets (`http/rate-limit.ts`):
 * a client may make BUDGET token API requests a minute, and the 429 that
 * follows carries `Retry-After` (up to 60 s: the window's end). Waits are
 * recorded by an injected `sleep` instead of being waited out.
 */
const BUDGET = 3;

let tessera: Tessera;
let apiKey: string;

beforeAll(async () => {
  tessera = await startTessera({
    TESSERA_TOKEN_API_REQUESTS_PER_MINUTE_PER_CLIENT: String(BUDGET),
  });
  apiKey = addApiKey(tessera);
});
afterAll(async () => {
  await tessera.stop();
});

/** A fresh client (a fresh budget) and a long-term token of it: one request of the budget. */
async function freshClient(): Promise<{ client: ProvisionedClient; long: LongTokenResponse }> {
  const client = addClient(tessera, `budget-${Math.random().toString(36).slice(2)}`);
  const { data } = await new AuthApi(
    new Configuration({ basePath: tessera.url, apiKey, retry: false }),
  ).issueLongTermToken({
    grant_type: "client_credentials",
    client_id: client.id,
    client_secret: client.clientSecret,
  });
  return { client, long: data };
}

/** Spends the rest of the client's budget, without retries. */
async function spendBudget(long: LongTokenResponse): Promise<void> {
  const api = new AuthApi(
    new Configuration({ basePath: tessera.url, accessToken: long.token, retry: false }),
  );
  for (let request = 1; request < BUDGET; request++) {
    await api.listTokens();
  }
  await expectApiError(api.listTokens(), RateLimitedError, { code: "rate_limited", status: 429 });
}

/** An API whose retries wait nothing but record each wait, and whose requests are recorded. */
function recordedApi(settings: { accessToken?: string; apiKey?: string; retry?: RetryOptions }) {
  const waits: number[] = [];
  const recorder = recordingFetch();
  const configuration = new Configuration({
    basePath: tessera.url,
    fetch: recorder.fetch,
    ...(settings.accessToken === undefined ? {} : { accessToken: settings.accessToken }),
    ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
    retry: {
      maxRetryAfterMs: 120_000,
      random: () => 0,
      sleep: async (ms) => {
        waits.push(ms);
      },
      ...settings.retry,
    },
  });
  return { api: new AuthApi(configuration), waits, exchanges: recorder.exchanges };
}

const retryAfterOf = (exchange: Exchange | undefined) =>
  Number(exchange?.responseHeaders["retry-after"]);

describe("retries against the server's rate limits", () => {
  it("retries a safe call (listTokens) twice after 429, each wait its Retry-After, then throws", async () => {
    const { long } = await freshClient();
    await spendBudget(long);
    const { api, waits, exchanges } = recordedApi({ accessToken: long.token });

    const error = await expectApiError(api.listTokens(), RateLimitedError, {
      code: "rate_limited",
      status: 429,
    });

    expect(exchanges.map((exchange) => exchange.status)).toEqual([429, 429, 429]);
    // Full jitter drew 0: each wait is exactly the Retry-After of the answer before it.
    expect(waits).toEqual([retryAfterOf(exchanges[0]) * 1000, retryAfterOf(exchanges[1]) * 1000]);
    expect(waits.every((wait) => wait >= 1000)).toBe(true);
    expect(error.retryAfter).toBe(retryAfterOf(exchanges[2]));
  });

  it("waits the backoff when it is longer than Retry-After", async () => {
    const { long } = await freshClient();
    await spendBudget(long);
    const { api, waits, exchanges } = recordedApi({
      accessToken: long.token,
      retry: { retries: 1, baseDelayMs: 200_000, maxDelayMs: 200_000, random: () => 0.5 },
    });

    await expectApiError(api.listTokens(), RateLimitedError, { code: "rate_limited", status: 429 });

    expect(exchanges).toHaveLength(2);
    expect(waits).toEqual([100_000]);
  });

  it("retries an idempotent call (revokeToken) after 429", async () => {
    const { long } = await freshClient();
    await spendBudget(long);
    const { api, waits, exchanges } = recordedApi({ accessToken: long.token });

    await expectApiError(api.revokeToken(long.token_id), RateLimitedError, {
      code: "rate_limited",
      status: 429,
    });

    expect(exchanges).toHaveLength(3);
    expect(waits).toHaveLength(2);
  });

  it("never retries an unsafe call (issueLongTermToken)", async () => {
    const { client, long } = await freshClient();
    await spendBudget(long);
    const { api, waits, exchanges } = recordedApi({ apiKey });

    await expectApiError(
      api.issueLongTermToken({
        grant_type: "client_credentials",
        client_id: client.id,
        client_secret: client.clientSecret,
      }),
      RateLimitedError,
      { code: "rate_limited", status: 429 },
      [client.clientSecret],
    );

    expect(exchanges).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it("gives up at once when Retry-After is longer than maxRetryAfterMs", async () => {
    const { long } = await freshClient();
    await spendBudget(long);
    const { api, waits, exchanges } = recordedApi({
      accessToken: long.token,
      retry: { maxRetryAfterMs: 0 },
    });

    const error = await expectApiError(api.listTokens(), RateLimitedError, {
      code: "rate_limited",
      status: 429,
    });

    expect(exchanges).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(error.retryAfter).toBeGreaterThan(0);
  });

  it("does not retry when retry is false", async () => {
    const { long } = await freshClient();
    await spendBudget(long);
    const recorder = recordingFetch();
    const api = new AuthApi(
      new Configuration({
        basePath: tessera.url,
        accessToken: long.token,
        fetch: recorder.fetch,
        retry: false,
      }),
    );

    await expectApiError(api.listTokens(), RateLimitedError, { code: "rate_limited", status: 429 });
    expect(recorder.exchanges).toHaveLength(1);
  });

  it("stops at once when the signal aborts during the wait, with the answer's typed error", async () => {
    const { long } = await freshClient();
    await spendBudget(long);
    const controller = new AbortController();
    const recorder = recordingFetch();
    const api = new AuthApi(
      new Configuration({
        basePath: tessera.url,
        accessToken: long.token,
        fetch: recorder.fetch,
        retry: {
          maxRetryAfterMs: 120_000,
          // The real wait, aborted as it starts: it must not run its Retry-After out.
          sleep: (ms, signal) => {
            controller.abort();
            return sleep(ms, signal);
          },
        },
      }),
    );

    await expectApiError(
      api.listTokens(undefined, { signal: controller.signal }),
      RateLimitedError,
      {
        code: "rate_limited",
        status: 429,
      },
    );
    expect(recorder.exchanges).toHaveLength(1);
  });
});
