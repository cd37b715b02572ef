import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthApi,
  AutomationClient,
  type AutomationClientOptions,
  ClientClosedError,
  Configuration,
  ConflictError,
  type LongTokenResponse,
  RotationWindowError,
  TesseraApiError,
  TokenRevokedError,
  type TokenSummary,
} from "../src/index.js";
import { expectApiError } from "./support/expect-api-error.js";
import { addApiKey, addClient, type ProvisionedClient } from "./support/provision.js";
import { recordingFetch } from "./support/recording-fetch.js";
import { isRequest, logMark, requestsLoggedSince } from "./support/request-log.js";
import { startTessera, type Tessera } from "./support/tessera.js";

let tessera: Tessera;
let apiKey: string;
/** A machine identity that may rotate its own tokens. */
let bot: ProvisionedClient;
/** One that may not: its tokens lack tokens:write. */
let deployer: ProvisionedClient;

const DAY_MS = 24 * 3600 * 1000;
const isShort = isRequest("POST", "/auth/tokens/short");
const isLong = isRequest("POST", "/auth/tokens/long");

beforeAll(async () => {
  tessera = await startTessera();
  apiKey = addApiKey(tessera);
  bot = addClient(tessera, "ci-bot", ["--scopes", "tokens:write,deploy:staging,deploy:prod"]);
  deployer = addClient(tessera, "deployer", ["--scopes", "deploy:staging"]);
});
afterAll(async () => {
  await tessera.stop();
});

/** The token API as the test's own caller, with `bearer` as its token. */
function authApi(bearer?: string): AuthApi {
  return new AuthApi(
    new Configuration({
      basePath: tessera.url,
      apiKey,
      ...(bearer === undefined ? {} : { accessToken: bearer }),
    }),
  );
}

async function issueLong(ttlDays = 30, owner = bot): Promise<LongTokenResponse> {
  const { data } = await authApi().issueLongTermToken({
    grant_type: "client_credentials",
    client_id: owner.id,
    client_secret: owner.clientSecret,
    ttl_days: ttlDays,
  });
  return data;
}

/** Every token of the bot, ended ones too, as its long-term token `bearer` lists them. */
async function listed(bearer: string): Promise<TokenSummary[]> {
  return (await authApi(bearer).listTokens({ include_ended: true, limit: 500 })).data.tokens;
}

/** An AutomationClient on a recording fetch and a clock the test moves by hand. */
function automation(long: LongTokenResponse, options: Partial<AutomationClientOptions> = {}) {
  const recorder = recordingFetch();
  const time = { now: Date.now() };
  const rotations: LongTokenResponse[] = [];
  const client = new AutomationClient({
    configuration: new Configuration({ basePath: tessera.url, apiKey, fetch: recorder.fetch }),
    longTermToken: long.token,
    clock: () => time.now,
    onRotate: (next) => {
      rotations.push(next);
    },
    ...options,
  });
  return { client, exchanges: recorder.exchanges, time, rotations };
}

describe("AutomationClient.getAccessToken", () => {
  it("issues one short-term token for 50 concurrent first callers, as the server's log shows, and learns the long-term token's id", async () => {
    const long = await issueLong();
    const { client, exchanges } = automation(long);
    const from = await logMark(tessera);

    const tokens = await Promise.all(Array.from({ length: 50 }, () => client.getAccessToken()));

    expect(new Set(tokens).size).toBe(1);
    expect(exchanges.filter(isShort)).toHaveLength(1);
    expect(exchanges[0]?.headers.authorization).toBe(`Bearer ${long.token}`);
    expect((await requestsLoggedSince(tessera, from)).filter(isShort)).toEqual([
      { method: "POST", url: "/auth/tokens/short", statusCode: 201 },
    ]);
    expect(decodeJwt(tokens[0] ?? "").parent_token_id).toBe(long.token_id);
    expect(client.longTermTokenId).toBe(long.token_id);
  });

  it("renews before the skew with none, inside it with one request for 50 callers, passing scopes, audience and ttl through", async () => {
    const long = await issueLong();
    const { client, exchanges, time } = automation(long, {
      scopes: ["deploy:staging"],
      ttlSeconds: 300,
    });
    const start = time.now;
    const first = await client.getAccessToken();
    expect(JSON.parse(exchanges[0]?.body ?? "{}")).toEqual({
      scopes: ["deploy:staging"],
      ttl_seconds: 300,
    });
    expect(decodeJwt(first).scope).toBe("deploy:staging");

    time.now = start + 239_000;
    expect(await client.getAccessToken()).toBe(first);
    expect(exchanges).toHaveLength(1);

    time.now = start + 241_000;
    const from = await logMark(tessera);
    const renewed = await Promise.all(Array.from({ length: 50 }, () => client.getAccessToken()));
    expect(new Set(renewed).size).toBe(1);
    expect(renewed[0]).not.toBe(first);
    expect(exchanges.filter(isShort)).toHaveLength(2);
    expect((await requestsLoggedSince(tessera, from)).filter(isShort)).toHaveLength(1);
  });

  it("ends when the long-term token is revoked: the typed error, then no request", async () => {
    const long = await issueLong();
    const { client, exchanges, time } = automation(long);
    await client.getAccessToken();
    tessera.cli(["tokens", "revoke", long.token_id]);
    time.now += 900_000;

    const error = await expectApiError(client.getAccessToken(), TokenRevokedError, {
      code: "token_revoked",
      status: 401,
    });
    const sent = exchanges.length;
    await expect(client.getAccessToken()).rejects.toBe(error);
    await expect(client.rotate()).rejects.toBe(error);
    expect(exchanges).toHaveLength(sent);
  });
});

describe("AutomationClient.rotate", () => {
  it("rotates once for concurrent callers with a tokens:write step-up, calls onRotate once, and switches", async () => {
    const long = await issueLong();
    const { client, exchanges, time, rotations } = automation(long, {
      longTermTokenId: long.token_id,
      longTermTokenExpiresAt: long.expires_at,
      rotationName: "ci-bot rotated",
    });
    await client.getAccessToken();
    const rotatedAt = Date.now();

    const results = await Promise.all([client.rotate(), client.rotate(), client.rotate()]);

    expect(results[0]).toBe(results[1]);
    expect(rotations).toEqual([results[0]]);
    const next = results[0];
    expect(next.token).toMatch(/^tsr_lt_/);
    expect(next.token_id).not.toBe(long.token_id);
    expect(client.longTermTokenId).toBe(next.token_id);
    expect(client.longTermTokenExpiresAt).toBe(Date.parse(next.expires_at));

    const issue = exchanges.filter(isLong);
    expect(issue).toHaveLength(1);
    expect(JSON.parse(issue[0]?.body ?? "{}")).toEqual({
      rotate_token_id: long.token_id,
      name: "ci-bot rotated",
    });
    // The step-up: a short-term token of the old token's every scope, tokens:write among them.
    const stepUp = issue[0]?.headers.authorization?.replace(/^Bearer /, "") ?? "";
    expect(issue[0]?.headers["x-api-key"]).toBe(apiKey);
    const every = ["deploy:prod", "deploy:staging", "tokens:write"];
    expect(String(decodeJwt(stepUp).scope).split(" ").sort()).toEqual(every);
    expect([...next.scopes].sort()).toEqual(every);

    // The server's rotation semantics: the old token works on through a 15-minute overlap, then ends.
    const tokens = await listed(next.token);
    const old = tokens.find((token) => token.token_id === long.token_id);
    expect(old?.replaced_by_token_id).toBe(next.token_id);
    const endsAt = Date.parse(old?.revoked_at ?? "");
    expect(endsAt).toBeGreaterThan(rotatedAt);
    expect(endsAt).toBeLessThanOrEqual(Date.now() + 900_000);
    // The step-up token was revoked once used.
    const stepUpId = String(decodeJwt(stepUp).jti);
    expect(tokens.find((token) => token.token_id === stepUpId)?.revoked_at).not.toBeNull();
    // The old token cannot be rotated a second time.
    const oldStepUp = (await authApi(long.token).issueShortTermToken()).data.access_token;
    await expectApiError(
      authApi(oldStepUp).issueLongTermToken({ rotate_token_id: long.token_id }),
      ConflictError,
      { code: "conflict", status: 409 },
    );

    // The next short-term token comes from the new long-term token.
    time.now += 900_000;
    expect(decodeJwt(await client.getAccessToken()).parent_token_id).toBe(next.token_id);
  });

  it("with revokeReplacedToken, the old long-term token is refused by the server at once", async () => {
    const long = await issueLong();
    const { client, exchanges, rotations } = automation(long, { revokeReplacedToken: true });
    const before = await client.getAccessToken();

    const next = await client.rotate();

    expect(rotations).toEqual([next]);
    await expectApiError(authApi(long.token).issueShortTermToken(), TokenRevokedError, {
      code: "token_revoked",
      status: 401,
    });
    // The short-term token held was the old token's, and ended with it: the client does not hand it out.
    await expectApiError(authApi(before).listTokens(), TokenRevokedError, {
      code: "token_revoked",
      status: 401,
    });
    const after = await client.getAccessToken();
    expect(after).not.toBe(before);
    expect(decodeJwt(after).parent_token_id).toBe(next.token_id);
    expect(
      exchanges.filter(isRequest("POST", `/auth/tokens/${long.token_id}/revoke`)),
    ).toHaveLength(1);
  });

  it("rotates inside getAccessToken once the long-term token is rotateBeforeDays from its end, once for 50 callers", async () => {
    const long = await issueLong(30);
    const expiresAt = Date.parse(long.expires_at);
    const { client, exchanges, time, rotations } = automation(long, {
      longTermTokenExpiresAt: long.expires_at,
      rotateBeforeDays: 7,
    });

    time.now = expiresAt - 8 * DAY_MS;
    await client.getAccessToken();
    expect(exchanges.filter(isLong)).toHaveLength(0);

    time.now = expiresAt - 6 * DAY_MS;
    const from = await logMark(tessera);
    const tokens = await Promise.all(Array.from({ length: 50 }, () => client.getAccessToken()));

    expect(new Set(tokens).size).toBe(1);
    expect(exchanges.filter(isLong)).toHaveLength(1);
    expect((await requestsLoggedSince(tessera, from)).filter(isLong)).toHaveLength(1);
    expect(rotations).toHaveLength(1);
    expect(client.longTermTokenId).toBe(rotations[0]?.token_id);

    // The new token is a month from its end: no further rotation.
    time.now = Date.now();
    await client.getAccessToken();
    expect(exchanges.filter(isLong)).toHaveLength(1);
  });

  it("keeps the old token while onRotate rejects, hands the same new token to it again on the next call, and switches once it resolves", async () => {
    const long = await issueLong();
    const unavailable = new Error("the secret store is unavailable");
    const store = { failures: 2, saved: [] as LongTokenResponse[], offered: [] as string[] };
    const { client, exchanges } = automation(long, {
      longTermTokenId: long.token_id,
      onRotate: (next) => {
        store.offered.push(next.token_id);
        if (store.failures > 0) {
          store.failures -= 1;
          throw unavailable;
        }
        store.saved.push(next);
      },
    });

    await expect(client.rotate()).rejects.toBe(unavailable);
    expect(client.longTermTokenId).toBe(long.token_id);
    await expect(client.getAccessToken()).rejects.toBe(unavailable);
    expect(client.longTermTokenId).toBe(long.token_id);
    expect(exchanges.filter(isShort).map((exchange) => exchange.headers.authorization)).toEqual([
      `Bearer ${long.token}`,
    ]);

    const token = await client.getAccessToken();

    const [next] = store.saved;
    expect(store.saved).toHaveLength(1);
    expect(store.offered).toEqual([next?.token_id, next?.token_id, next?.token_id]);
    expect(client.longTermTokenId).toBe(next?.token_id);
    expect(decodeJwt(token).parent_token_id).toBe(next?.token_id);
    expect(exchanges.filter(isLong)).toHaveLength(1);
    // A rotate() now rotates the saved token afresh.
    const after = await client.rotate();
    expect(after.token_id).not.toBe(next?.token_id);
    expect(exchanges.filter(isLong)).toHaveLength(2);
  });

  it("inside rotateBeforeDays, a rotation onRotate rejected is completed, never repeated, on the next calls", async () => {
    const long = await issueLong(30);
    const unavailable = new Error("the secret store is unavailable");
    const store = { failures: 1, offered: [] as string[] };
    const { client, exchanges, time } = automation(long, {
      longTermTokenExpiresAt: long.expires_at,
      rotateBeforeDays: 7,
      onRotate: (next) => {
        store.offered.push(next.token_id);
        if (store.failures > 0) {
          store.failures -= 1;
          throw unavailable;
        }
      },
    });
    time.now = Date.parse(long.expires_at) - 6 * DAY_MS;

    await expect(client.getAccessToken()).rejects.toBe(unavailable);
    // Back to today, where the new token is a month from its end.
    time.now = Date.now();
    await client.getAccessToken();
    await client.getAccessToken();

    expect(exchanges.filter(isLong)).toHaveLength(1);
    expect(store.offered).toHaveLength(2);
    expect(new Set(store.offered).size).toBe(1);
    expect(client.longTermTokenId).toBe(store.offered[0]);
  });

  it("inside rotateBeforeDays, a failed rotation is recorded and retried 5 minutes later, and tokens keep coming until the long-term token itself is refused", async () => {
    const long = await issueLong(30, deployer);
    const reported: unknown[] = [];
    const { client, exchanges, time, rotations } = automation(long, {
      longTermTokenExpiresAt: long.expires_at,
      rotateBeforeDays: 7,
      onRotationError: (error) => {
        reported.push(error);
      },
    });
    time.now = Date.parse(long.expires_at) - 6 * DAY_MS;

    const tokens = await Promise.all(Array.from({ length: 10 }, () => client.getAccessToken()));

    expect(new Set(tokens).size).toBe(1);
    expect(decodeJwt(tokens[0] ?? "").parent_token_id).toBe(long.token_id);
    const failure = client.lastRotationError;
    expect(failure).toBeInstanceOf(TesseraApiError);
    expect(failure).toMatchObject({ status: 403, operationId: "issueLongTermToken" });
    expect(reported).toEqual([failure]);
    expect(exchanges.filter(isLong)).toHaveLength(1);

    // Within 5 minutes: no attempt, the cached token, at once.
    time.now += 4 * 60_000;
    const sent = exchanges.length;
    expect(await client.getAccessToken()).toBe(tokens[0]);
    expect(exchanges).toHaveLength(sent);

    // After them: one more attempt, which fails alike, and still a token.
    time.now += 2 * 60_000;
    expect(await client.getAccessToken()).toBe(tokens[0]);
    expect(exchanges.filter(isLong)).toHaveLength(2);
    expect(reported).toHaveLength(2);
    expect(rotations).toEqual([]);

    // An explicit rotate() still rejects.
    await expect(client.rotate()).rejects.toMatchObject({ status: 403 });

    // The long-term token refused is the end, rotation or not.
    tessera.cli(["tokens", "revoke", long.token_id]);
    time.now += 15 * 60_000;
    await expectApiError(client.getAccessToken(), TokenRevokedError, {
      code: "token_revoked",
      status: 401,
    });
  });

  it("reads the long-term token's expiry from the token list when it was not given", async () => {
    const long = await issueLong(45);
    const { client, exchanges } = automation(long, { rotateBeforeDays: 7 });

    await client.getAccessToken();

    expect(client.longTermTokenId).toBe(long.token_id);
    expect(client.longTermTokenExpiresAt).toBe(Date.parse(long.expires_at));
    expect(exchanges.filter(isRequest("GET", "/auth/tokens"))).toHaveLength(1);
    expect(exchanges.filter(isLong)).toHaveLength(0);
  });

  it("does not rotate again a rotated token already inside rotateBeforeDays, and reports RotationWindowError", async () => {
    const long = await issueLong(30);
    const reported: unknown[] = [];
    // 45 days before the end of tokens that live 30 (the server's default): due at once, every one.
    const { client, exchanges, rotations } = automation(long, {
      longTermTokenExpiresAt: long.expires_at,
      rotateBeforeDays: 45,
      onRotationError: (error) => {
        reported.push(error);
      },
    });

    await client.getAccessToken();
    await client.getAccessToken();
    await client.getAccessToken();

    expect(exchanges.filter(isLong)).toHaveLength(1);
    expect(rotations).toHaveLength(1);
    expect(client.longTermTokenId).toBe(rotations[0]?.token_id);
    const error = client.lastRotationError;
    expect(error).toBeInstanceOf(RotationWindowError);
    expect(error).toMatchObject({
      tokenId: rotations[0]?.token_id,
      expiresAt: Date.parse(rotations[0]?.expires_at ?? ""),
      rotateBeforeDays: 45,
    });
    expect(reported).toEqual([error]);
  });

  it("refuses a rotateBeforeDays not above 0 and below 90 (and rotationTtlDays), when built", async () => {
    const long = await issueLong();
    const build = (more: Partial<AutomationClientOptions>) =>
      new AutomationClient({
        configuration: { basePath: tessera.url, apiKey },
        longTermToken: long.token,
        ...more,
      });
    for (const rotateBeforeDays of [0, -1, Number.NaN, 90, 365]) {
      expect(() => build({ rotateBeforeDays })).toThrow(RangeError);
    }
    expect(() => build({ rotateBeforeDays: 30, rotationTtlDays: 30 })).toThrow(RangeError);
    expect(build({ rotateBeforeDays: 29, rotationTtlDays: 30 })).toBeInstanceOf(AutomationClient);
  });

  it("refuses rotateBeforeDays without an API key, when built", async () => {
    const long = await issueLong();
    expect(
      () =>
        new AutomationClient({
          configuration: { basePath: tessera.url },
          longTermToken: long.token,
          rotateBeforeDays: 7,
        }),
    ).toThrow(TypeError);
  });
});

describe("AutomationClient.close", () => {
  it("revokes the short-term token it holds, is idempotent, and refuses later calls", async () => {
    const long = await issueLong();
    const { client, exchanges } = automation(long);
    const short = await client.getAccessToken();
    const shortId = String(decodeJwt(short).jti);

    await client.close();
    await client.close();

    expect(exchanges.filter(isRequest("POST", `/auth/tokens/${shortId}/revoke`))).toHaveLength(1);
    expect(exchanges).toHaveLength(2);
    const row = (await listed(long.token)).find((token) => token.token_id === shortId);
    expect(row?.revoked_at).not.toBeNull();
    await expectApiError(authApi(short).listTokens(), TokenRevokedError, {
      code: "token_revoked",
      status: 401,
    });
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(ClientClosedError);
    // The long-term token lives on.
    expect((await authApi(long.token).issueShortTermToken()).status).toBe(201);
  });

  it("with revokeLongTermTokenOnClose, revokes the long-term token and its short-term tokens", async () => {
    const long = await issueLong();
    const { client } = automation(long, { revokeLongTermTokenOnClose: true });
    const short = await client.getAccessToken();

    await client.close();

    await expectApiError(authApi(long.token).issueShortTermToken(), TokenRevokedError, {
      code: "token_revoked",
      status: 401,
    });
    await expectApiError(authApi(short).listTokens(), TokenRevokedError, {
      code: "token_revoked",
      status: 401,
    });
  });

  it("with revokeLongTermTokenOnClose, also revokes a rotated token onRotate never took", async () => {
    const long = await issueLong();
    const offered: LongTokenResponse[] = [];
    const { client } = automation(long, {
      revokeLongTermTokenOnClose: true,
      onRotate: (next) => {
        offered.push(next);
        throw new Error("the secret store is unavailable");
      },
    });
    await expect(client.rotate()).rejects.toThrow("the secret store is unavailable");

    await client.close();

    expect(offered).toHaveLength(1);
    for (const token of [long.token, offered[0]?.token ?? ""]) {
      await expectApiError(authApi(token).issueShortTermToken(), TokenRevokedError, {
        code: "token_revoked",
        status: 401,
      });
    }
  });

  it("closes without a request when it never held a token", async () => {
    const long = await issueLong();
    const { client, exchanges } = automation(long);
    await client.close();
    expect(exchanges).toHaveLength(0);
  });
});
