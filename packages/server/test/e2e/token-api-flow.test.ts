import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  createRemoteJWKSet,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  jwtVerify,
  SignJWT,
} from "jose";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  requestsMissingFromLog,
  runCli,
  type ServerProcess,
  startServerProcess,
} from "../support/processes.js";

// The token API for automation (spec 004) as a CI job or a daemon drives it:
// Node's own fetch against a real `tessera serve`, clients registered with
// the real CLI, OTP codes from `otplib` and assertions and JWT checks from
// `jose`, so the test does not only agree with the server's own libraries.

const DAY_MS = 24 * 3600 * 1000;
const CLIENT = "ci-deployer";
const OTHER_CLIENT = "nightly-backup";
/** The ci-deployer's scopes, as the server returns them: sorted. */
const SCOPES = ["deploy:staging", "tokens:write"];

let dataDir: string;
let env: Record<string, string>;
let server: ServerProcess;
/** What earlier server processes printed, before a restart. */
const earlierOutput: string[] = [];
/** Every request sent to a server of this data dir ("METHOD /path"), for the log scan to find. */
const requestsSent: string[] = [];
let apiKey: string;
let clientId: string;
let clientSecret: string;
let otpSecret: string;
let otherClientId: string;
let otherClientSecret: string;
let assertionKey: CryptoKey;
let assertionKid: string;
/** Every secret sent or received: none may reach the server's output. */
const secretsSeen: string[] = [];

/** Tokens carried from one step of the flow to the next. */
let secretToken: LongToken;
let shortToken: ShortToken;
let bearerIssued: LongToken;
let otherToken: LongToken;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: unknown;
}

interface LongToken {
  readonly token_id: string;
  readonly token: string;
  readonly token_type: string;
  readonly scopes: string[];
  readonly expires_at: string;
}

interface ShortToken {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly token_id: string;
  readonly scope: string;
}

interface ListedToken {
  readonly token_id: string;
  readonly token_type: "long_term" | "short_term";
  readonly name: string;
  readonly prefix: string | null;
  readonly scopes: string[];
  readonly audience: string | null;
  readonly parent_token_id: string | null;
  readonly created_at: string;
  readonly last_used_at: string | null;
  readonly expires_at: string;
  readonly revoked_at: string | null;
  readonly replaced_by_token_id: string | null;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tessera-e2e-tokens-"));
  env = {
    TESSERA_DATA_DIR: dataDir,
    TESSERA_MASTER_KEY: randomBytes(32).toString("base64"),
    TESSERA_LOG_LEVEL: "info",
  };
  server = await startServerProcess(env);
  const pair = await generateKeyPair("ES256", { extractable: true });
  assertionKey = pair.privateKey;
  assertionKid = await calculateJwkThumbprint(await exportJWK(pair.publicKey));
  writeFileSync(join(dataDir, "ci-deployer.pub.pem"), await exportSPKI(pair.publicKey));
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Sends one request; `body` is sent as JSON when given, and nothing at all otherwise. */
async function call(
  method: "GET" | "POST",
  path: string,
  options: { readonly headers?: Record<string, string>; readonly body?: unknown } = {},
): Promise<Answer> {
  requestsSent.push(`${method} ${path}`);
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
  }
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: text === "" ? undefined : (JSON.parse(text) as unknown),
  };
}

/** `POST /auth/tokens/long` under the API key. */
function postLong(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call("POST", "/auth/tokens/long", { headers: { "x-api-key": apiKey, ...headers }, body });
}

function withSecret(extra: Record<string, unknown> = {}) {
  return postLong({
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: clientSecret,
    ...extra,
  });
}

function withOtp(code: string) {
  return postLong({ grant_type: "client_credentials", client_id: clientId, otp_code: code });
}

function postShort(longToken: string, body?: Record<string, unknown>) {
  return call("POST", "/auth/tokens/short", { headers: bearer(longToken), body });
}

function listTokens(token: string, query = "") {
  return call("GET", `/auth/tokens${query}`, { headers: bearer(token) });
}

function revoke(tokenId: string, token: string) {
  return call("POST", `/auth/tokens/${tokenId}/revoke`, { headers: bearer(token) });
}

/**
 * The RFC 6238 code of the step `steps` away from `epoch` (seconds), computed
 * by otplib. Codes compared in one test share one `epoch`, so a step
 * boundary passing mid-test cannot turn "this step" into "the next one".
 */
function otpCode(steps: number, epoch = Math.floor(Date.now() / 1000)): Promise<string> {
  return generate({ secret: otpSecret, epoch: epoch + steps * 30 });
}

/** A client assertion (RFC 7523) signed with the registered key, valid for two minutes. */
function assertion(
  options: { readonly audience?: string; readonly expiresIn?: string } = {},
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "ES256", kid: assertionKid })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(options.audience ?? `${server.url}/auth/tokens/long`)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "2m")
    .setJti(randomUUID())
    .sign(assertionKey);
}

/** Every token API answer carries the draft RateLimit headers, as whole numbers. */
function expectRateLimitHeaders(answer: Answer): void {
  const limit = Number(answer.headers.get("ratelimit-limit"));
  const remaining = Number(answer.headers.get("ratelimit-remaining"));
  const reset = Number(answer.headers.get("ratelimit-reset"));
  expect(Number.isInteger(limit) && limit > 0).toBe(true);
  expect(Number.isInteger(remaining) && remaining >= 0 && remaining < limit).toBe(true);
  expect(Number.isInteger(reset) && reset >= 0 && reset <= 60).toBe(true);
}

/** An RFC 9457 problem with Tessera's stable code, the request id, and the RateLimit headers. */
function expectProblem(answer: Answer, status: number, code: string): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(answer.body).toEqual({
    type: `urn:tessera:problem:${code}`,
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
    instance: `urn:uuid:${answer.headers.get("x-request-id")}`,
  });
  expectRateLimitHeaders(answer);
}

/** The one answer for every failed step-up, whatever the reason. */
function expectClientAuthFailed(answer: Answer): void {
  expectProblem(answer, 401, "invalid_client");
  expect(answer.body).toMatchObject({ detail: "Client authentication failed" });
}

/** Expects a 201 long-term token, remembers it as a secret, and returns it. */
function expectLongToken(answer: Answer): LongToken {
  expect(answer.status, answer.text).toBe(201);
  expect(answer.body).toEqual({
    token_id: expect.stringMatching(/^lt_[\w-]+$/),
    token: expect.stringMatching(/^tsr_lt_\w+$/),
    token_type: "long_term",
    scopes: expect.any(Array),
    expires_at: expect.any(String),
  });
  const issued = answer.body as LongToken;
  expect(answer.headers.get("x-token-id")).toBe(issued.token_id);
  expect(answer.headers.get("cache-control")).toBe("no-store");
  expectRateLimitHeaders(answer);
  secretsSeen.push(issued.token);
  return issued;
}

/** Expects a 201 short-term token, remembers it as a secret, and returns it. */
function expectShortToken(answer: Answer): ShortToken {
  expect(answer.status, answer.text).toBe(201);
  expect(answer.body).toEqual({
    access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    token_type: "Bearer",
    expires_in: expect.any(Number),
    token_id: expect.stringMatching(/^st_[\w-]+$/),
    scope: expect.any(String),
  });
  expect(answer.headers.get("cache-control")).toBe("no-store");
  expectRateLimitHeaders(answer);
  const issued = answer.body as ShortToken;
  secretsSeen.push(issued.access_token);
  return issued;
}

/** Days from now until an ISO time. */
function daysFromNow(iso: string): number {
  return (Date.parse(iso) - Date.now()) / DAY_MS;
}

function tokensOf(answer: Answer): ListedToken[] {
  expect(answer.status, answer.text).toBe(200);
  return (answer.body as { tokens: ListedToken[] }).tokens;
}

describe("the token API against a real server, as automation drives it", () => {
  describe("setting up with the CLI while the server runs", () => {
    it("creates an API key and a client with OTP and a public key; the secrets are shown once", () => {
      const key = runCli(["apikey", "create", "--name", "ci", "--json"], env);
      expect(key.status, key.stderr).toBe(0);
      apiKey = (JSON.parse(key.stdout) as { key: string }).key;
      secretsSeen.push(apiKey);

      const added = runCli(
        [
          "client",
          "add",
          CLIENT,
          "--scopes",
          "tokens:write,deploy:staging",
          "--otp",
          "--public-key",
          join(dataDir, "ci-deployer.pub.pem"),
          "--audience",
          "https://deploy.example.test",
          "--json",
        ],
        env,
      );
      expect(added.status, added.stderr).toBe(0);
      const client = JSON.parse(added.stdout) as {
        id: string;
        clientSecret: string;
        otpauthUri: string;
      };
      expect(client).toMatchObject({
        id: expect.stringMatching(/^[a-z0-9]{26}$/),
        name: CLIENT,
        status: "active",
        scopes: SCOPES,
        otpEnrolled: true,
        publicKeys: [{ kid: assertionKid, alg: "ES256" }],
        clientSecret: expect.stringMatching(/^tsr_cs_/),
        otpauthUri: expect.stringMatching(/^otpauth:\/\/totp\/Tessera:ci-deployer\?/),
      });
      clientId = client.id;
      clientSecret = client.clientSecret;
      otpSecret = new URL(client.otpauthUri).searchParams.get("secret") ?? "";
      expect(otpSecret).toMatch(/^[A-Z2-7]{32}$/);
      secretsSeen.push(clientSecret, otpSecret);

      const other = runCli(
        ["client", "add", OTHER_CLIENT, "--scopes", "tokens:write", "--max-ttl-days", "45"],
        env,
      );
      expect(other.status, other.stderr).toBe(0);
      otherClientSecret = /^\s*(tsr_cs_\w+)\s*$/m.exec(other.stdout)?.[1] ?? "";
      otherClientId = /\(([a-z0-9]{26})\)/.exec(other.stdout)?.[1] ?? "";
      expect(otherClientSecret).not.toBe("");
      expect(otherClientId).not.toBe("");
      secretsSeen.push(otherClientSecret);

      const listed = runCli(["client", "list", "--json"], env);
      expect(listed.status).toBe(0);
      expect(listed.stdout).toContain(clientId);
      for (const secret of [clientSecret, otpSecret, otherClientSecret]) {
        expect(listed.stdout).not.toContain(secret);
      }
    });
  });

  describe("POST /auth/tokens/long: stepping up", () => {
    it("issues a 30-day token with every scope of the client for the client secret", async () => {
      secretToken = expectLongToken(await withSecret({ name: "deploy-bot" }));
      expect(secretToken.scopes).toEqual(SCOPES);
      expect(daysFromNow(secretToken.expires_at)).toBeCloseTo(30, 2);
    });

    it("refuses a wrong secret and an unknown client with the one invalid_client answer", async () => {
      const wrong = await postLong({
        grant_type: "client_credentials",
        client_id: clientId,
        client_secret: "tsr_cs_not-the-secret",
      });
      expectClientAuthFailed(wrong);
      const unknown = await postLong({
        grant_type: "client_credentials",
        client_id: "a".repeat(26),
        client_secret: clientSecret,
      });
      expectClientAuthFailed(unknown);
      expect(answerWithoutInstance(unknown)).toEqual(answerWithoutInstance(wrong));
    });

    it("accepts an otplib code of this step and of the next one (±1 step), each once", async () => {
      const epoch = Math.floor(Date.now() / 1000);
      const [current, next, tooFar] = await Promise.all([
        otpCode(0, epoch),
        otpCode(1, epoch),
        otpCode(3, epoch),
      ]);
      expect(expectLongToken(await withOtp(next)).scopes).toEqual(SCOPES);
      expectClientAuthFailed(await withOtp(next));
      expectLongToken(await withOtp(current));
      expectClientAuthFailed(await withOtp(current));
      expectClientAuthFailed(await withOtp(tooFar));
    });

    it("accepts a jose-signed assertion once; the same assertion replayed is invalid_client", async () => {
      const signed = await assertion();
      secretsSeen.push(signed);
      const issued = expectLongToken(
        await postLong({ assertion: signed, ttl_days: 90, scopes: ["deploy:staging"] }),
      );
      expect(issued.scopes).toEqual(["deploy:staging"]);
      expect(daysFromNow(issued.expires_at)).toBeCloseTo(90, 2);
      expectClientAuthFailed(await postLong({ assertion: signed }));
    });

    it("still refuses a replayed assertion after the server restarts", async () => {
      const signed = await assertion();
      secretsSeen.push(signed);
      expectLongToken(await postLong({ assertion: signed }));
      const port = new URL(server.url).port;
      await server.stop();
      earlierOutput.push(server.output());
      server = await startServerProcess({ ...env, TESSERA_PORT: port });

      expectClientAuthFailed(await postLong({ assertion: signed }));
    });

    it("accepts the issuer as the assertion's audience, with the jwt-bearer grant type", async () => {
      const signed = await assertion({ audience: `${server.url}/tenants/default` });
      secretsSeen.push(signed);
      expectLongToken(
        await postLong({
          grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
          assertion: signed,
        }),
      );
    });

    it("refuses an assertion valid for more than five minutes, or signed with HS256", async () => {
      expectClientAuthFailed(await postLong({ assertion: await assertion({ expiresIn: "10m" }) }));
      const hmac = await new SignJWT({})
        .setProtectedHeader({ alg: "HS256" })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(`${server.url}/auth/tokens/long`)
        .setExpirationTime("2m")
        .setJti(randomUUID())
        .sign(randomBytes(32));
      expectClientAuthFailed(await postLong({ assertion: hmac }));
    });

    it("cuts ttl_days to the client's ceiling", async () => {
      otherToken = expectLongToken(
        await postLong({
          grant_type: "client_credentials",
          client_id: otherClientId,
          client_secret: otherClientSecret,
          ttl_days: 90,
        }),
      );
      expect(daysFromNow(otherToken.expires_at)).toBeCloseTo(45, 2);
    });

    it("needs exactly one mechanism: none or two is 400 invalid_request", async () => {
      expectProblem(
        await postLong({ grant_type: "client_credentials", client_id: clientId }),
        400,
        "invalid_request",
      );
      expectProblem(await withSecret({ otp_code: await otpCode(0) }), 400, "invalid_request");
    });

    it("refuses a missing X-API-Key (401 invalid_client_key) and unknown fields (400)", async () => {
      const noKey = await call("POST", "/auth/tokens/long", {
        body: {
          grant_type: "client_credentials",
          client_id: clientId,
          client_secret: clientSecret,
        },
      });
      expectProblem(noKey, 401, "invalid_client_key");
      expectProblem(await withSecret({ scope: "tokens:write" }), 400, "invalid_request");
      expectProblem(await withSecret({ ttl_days: 10 }), 400, "invalid_request");
    });
  });

  describe("POST /auth/tokens/short: exchanging the long-term token", () => {
    it("issues a 15-minute JWT that jose verifies against the published JWKS", async () => {
      shortToken = expectShortToken(await postShort(secretToken.token));
      expect(shortToken).toMatchObject({ expires_in: 900, scope: "deploy:staging tokens:write" });

      const issuer = `${server.url}/tenants/default`;
      const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(shortToken.access_token, jwks, {
        algorithms: ["ES256"],
        issuer,
        audience: issuer,
        typ: "automation+jwt",
      });
      expect(protectedHeader).toMatchObject({ alg: "ES256", typ: "automation+jwt" });
      expect(payload).toMatchObject({
        sub: clientId,
        client_id: clientId,
        scope: "deploy:staging tokens:write",
        parent_token_id: secretToken.token_id,
        jti: shortToken.token_id,
        token_use: "automation",
      });
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
    });

    it("narrows scopes and lifetime, never widens them", async () => {
      const narrow = expectShortToken(
        await postShort(secretToken.token, { scopes: ["deploy:staging"], ttl_seconds: 300 }),
      );
      expect(narrow).toMatchObject({ scope: "deploy:staging", expires_in: 300 });
      const wider = await postShort(secretToken.token, { scopes: ["tokens:admin"] });
      expectProblem(wider, 403, "insufficient_scope");
      expect(wider.headers.get("www-authenticate")).toMatch(
        /^Bearer realm="tessera", error="insufficient_scope"/,
      );
      expectProblem(
        await postShort(secretToken.token, { ttl_seconds: 3600 }),
        400,
        "invalid_request",
      );
    });

    it("refuses a missing Bearer token and a short-term token in its place (401 invalid_token)", async () => {
      const missing = await call("POST", "/auth/tokens/short");
      expectProblem(missing, 401, "invalid_token");
      // No credentials sent: a plain challenge, without an error code (RFC 6750 §3.1).
      expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="tessera"');
      expectProblem(await postShort(shortToken.access_token), 401, "invalid_token");
    });

    it("mints a token for another audience that verifies there but is refused by Tessera", async () => {
      const audience = "https://deploy.example.test";
      const foreign = expectShortToken(await postShort(secretToken.token, { audience }));
      const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(foreign.access_token, jwks, {
        algorithms: ["ES256"],
        issuer: `${server.url}/tenants/default`,
        audience,
        typ: "automation+jwt",
      });
      expect(payload.sub).toBe(clientId);
      expectProblem(await listTokens(foreign.access_token), 401, "invalid_token");
    });
  });

  describe("POST /auth/tokens/long with a short-term token", () => {
    it("issues another long-term token for a short-term token with tokens:write", async () => {
      bearerIssued = expectLongToken(
        await postLong(
          { name: "from-short", scopes: ["deploy:staging"] },
          bearer(shortToken.access_token),
        ),
      );
      expect(bearerIssued.scopes).toEqual(["deploy:staging"]);
      expectShortToken(await postShort(bearerIssued.token));
    });

    it("refuses a short-term token without tokens:write, or scopes beyond its own (403)", async () => {
      const deployOnly = expectShortToken(
        await postShort(secretToken.token, { scopes: ["deploy:staging"] }),
      );
      const refused = await postLong({}, bearer(deployOnly.access_token));
      expectProblem(refused, 403, "insufficient_scope");
      expect(refused.headers.get("www-authenticate")).toContain('error="insufficient_scope"');

      const writeOnly = expectShortToken(
        await postShort(secretToken.token, { scopes: ["tokens:write"] }),
      );
      expectProblem(
        await postLong({ scopes: ["deploy:staging"] }, bearer(writeOnly.access_token)),
        403,
        "insufficient_scope",
      );
    });

    it("refuses a long-term token as the Bearer credential (401 invalid_token)", async () => {
      expectProblem(await postLong({}, bearer(secretToken.token)), 401, "invalid_token");
    });
  });

  describe("rotating a long-term token", () => {
    it("issues the successor at once; the old token keeps working for 900 s, and only once rotated", async () => {
      const successor = expectLongToken(
        await postLong(
          { rotate_token_id: secretToken.token_id, name: "deploy-bot" },
          bearer(shortToken.access_token),
        ),
      );
      expect(successor.token_id).not.toBe(secretToken.token_id);
      expectShortToken(await postShort(successor.token));

      // The old token still works, but nothing it mints outlives its overlap.
      const fromOld = expectShortToken(await postShort(secretToken.token));
      expect(fromOld.expires_in).toBeLessThanOrEqual(900);
      expect(fromOld.expires_in).toBeGreaterThan(840);

      const all = tokensOf(await listTokens(successor.token, "?include_ended=true"));
      const old = all.find((token) => token.token_id === secretToken.token_id);
      expect(old).toMatchObject({ replaced_by_token_id: successor.token_id });
      const endsIn = (Date.parse(old?.revoked_at ?? "") - Date.now()) / 1000;
      expect(endsIn).toBeGreaterThan(840);
      expect(endsIn).toBeLessThanOrEqual(900);

      expectProblem(
        await postLong({ rotate_token_id: secretToken.token_id }, bearer(shortToken.access_token)),
        409,
        "conflict",
      );
    });

    it("answers 404 for an unknown id and for another client's token", async () => {
      const unknown = await withSecret({ rotate_token_id: "lt_AAAAAAAAAAAAAAAAAAAAAA" });
      expectProblem(unknown, 404, "not_found");
      const foreign = await withSecret({ rotate_token_id: otherToken.token_id });
      expectProblem(foreign, 404, "not_found");
      expect(answerWithoutInstance(foreign)).toEqual(answerWithoutInstance(unknown));
    });
  });

  describe("GET /auth/tokens", () => {
    it("lists the client's live tokens newest first, never a secret, never another client's", async () => {
      const listed = await listTokens(shortToken.access_token);
      expectRateLimitHeaders(listed);
      expect(listed.headers.get("cache-control")).toBe("no-store");
      const tokens = tokensOf(listed);
      expect(tokens.length).toBeGreaterThan(5);
      const created = tokens.map((token) => Date.parse(token.created_at));
      expect(created).toEqual([...created].sort((a, b) => b - a));
      expect(tokens.map((token) => token.token_id)).toEqual(
        expect.arrayContaining([secretToken.token_id, bearerIssued.token_id, shortToken.token_id]),
      );
      expect(tokens.map((token) => token.token_id)).not.toContain(otherToken.token_id);
      expect(tokens.find((token) => token.token_id === shortToken.token_id)).toMatchObject({
        token_type: "short_term",
        prefix: null,
        scopes: SCOPES,
        audience: `${server.url}/tenants/default`,
        parent_token_id: secretToken.token_id,
      });
      expect(tokens.find((token) => token.token_id === bearerIssued.token_id)).toMatchObject({
        token_type: "long_term",
        name: "from-short",
        prefix: bearerIssued.token.slice(0, 12),
        scopes: ["deploy:staging"],
        parent_token_id: null,
        revoked_at: null,
      });
      for (const secret of secretsSeen) {
        expect(listed.text).not.toContain(secret);
      }
    });

    it("takes limit and include_ended, and refuses anything else with 400", async () => {
      expect(tokensOf(await listTokens(secretToken.token, "?limit=1"))).toHaveLength(1);
      expectProblem(await listTokens(secretToken.token, "?limit=0"), 400, "invalid_request");
      expectProblem(await listTokens(secretToken.token, "?mine=true"), 400, "invalid_request");
    });
  });

  describe("revoking", () => {
    it("revokes a long-term token and refuses its short-term tokens at once", async () => {
      const long = expectLongToken(await withSecret({ name: "to-revoke" }));
      const short = expectShortToken(await postShort(long.token));
      expect((await listTokens(short.access_token)).status).toBe(200);

      const revoked = await revoke(long.token_id, short.access_token);
      expect(revoked.status, revoked.text).toBe(204);
      expect(revoked.text).toBe("");
      expectRateLimitHeaders(revoked);

      expectProblem(await listTokens(short.access_token), 401, "token_revoked");
      expectProblem(await postShort(long.token), 401, "token_revoked");
      // A verifier that checks only the signature still accepts it until exp: only Tessera knows.
      const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
      const issuer = `${server.url}/tenants/default`;
      await expect(
        jwtVerify(short.access_token, jwks, {
          algorithms: ["ES256"],
          issuer,
          audience: issuer,
          typ: "automation+jwt",
        }),
      ).resolves.toMatchObject({ payload: { jti: short.token_id } });

      expect((await revoke(long.token_id, bearerIssued.token)).status).toBe(204);
      const ended = tokensOf(await listTokens(bearerIssued.token, "?include_ended=true"));
      for (const id of [long.token_id, short.token_id]) {
        expect(ended.find((token) => token.token_id === id)?.revoked_at).toEqual(
          expect.any(String),
        );
      }
      const live = tokensOf(await listTokens(bearerIssued.token)).map((token) => token.token_id);
      expect(live).not.toContain(long.token_id);
      expect(live).not.toContain(short.token_id);
    });

    it("answers 404 for an unknown id and another client's token alike", async () => {
      const unknown = await revoke("lt_AAAAAAAAAAAAAAAAAAAAAA", bearerIssued.token);
      expectProblem(unknown, 404, "not_found");
      const foreign = await revoke(otherToken.token_id, bearerIssued.token);
      expectProblem(foreign, 404, "not_found");
      expect(answerWithoutInstance(foreign)).toEqual(answerWithoutInstance(unknown));
      expect((await postShort(otherToken.token)).status).toBe(201);
    });
  });

  describe("what any client can read", () => {
    it("serves /openapi.json with the four token operations and spec 004's security schemes", async () => {
      const answer = await call("GET", "/openapi.json");
      expect(answer.status).toBe(200);
      const document = answer.body as {
        openapi: string;
        paths: Record<string, Record<string, { operationId?: string }>>;
        components: { securitySchemes: Record<string, unknown> };
      };
      expect(document.openapi).toBe("3.1.0");
      expect(document.paths["/auth/tokens/long"]?.post?.operationId).toBe("issueLongTermToken");
      expect(document.paths["/auth/tokens/short"]?.post?.operationId).toBe("issueShortTermToken");
      expect(document.paths["/auth/tokens/{tokenId}/revoke"]?.post?.operationId).toBe(
        "revokeToken",
      );
      expect(document.paths["/auth/tokens"]?.get?.operationId).toBe("listTokens");
      // Spec 004's three, spec 001's two and spec 003's ID token, OAuth's
      // client_secret_basic (docs/oauth.md), the operations API's Basic and
      // operation token (spec 002), and the admin API's token (docs/admin-api.md).
      expect(Object.keys(document.components.securitySchemes).sort()).toEqual([
        "AdminToken",
        "ApiKeyAuth",
        "BasicAuth",
        "ClientKey",
        "ClientSecretBasic",
        "IdTokenAuth",
        "LongTokenAuth",
        "OperationToken",
        "OperationsBasic",
        "ShortTokenAuth",
      ]);
    });
  });

  describe("throttling failed step-ups", () => {
    it("refuses even the right secret with 429 and Retry-After after ten failures", async () => {
      const attempt = (secret: string) =>
        postLong({
          grant_type: "client_credentials",
          client_id: otherClientId,
          client_secret: secret,
        });
      for (let i = 0; i < 10; i++) {
        expectClientAuthFailed(await attempt("tsr_cs_wrong"));
      }
      const throttled = await attempt(otherClientSecret);
      expectProblem(throttled, 429, "rate_limited");
      expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
      // Tokens the client already holds keep working.
      expect((await postShort(otherToken.token)).status).toBe(201);
    });

    it("never writes a secret, a token or an assertion to its output", async () => {
      // Stopped first: the server writes its log asynchronously, and flushes it as it exits.
      await server.stop();
      const output = [...earlierOutput, server.output()].join("\n");
      // The scan means something only if it reads the lines of every request sent.
      expect(requestsSent.length).toBeGreaterThan(20);
      expect(requestsMissingFromLog(output, requestsSent)).toEqual([]);
      for (const secret of secretsSeen) {
        expect(output).not.toContain(secret);
      }
    });
  });
});

/** A problem answer's status and body without the per-request `instance`. */
function answerWithoutInstance(answer: Answer): unknown {
  const { instance: _instance, ...rest } = answer.body as Record<string, unknown>;
  return { status: answer.status, ...rest };
}
