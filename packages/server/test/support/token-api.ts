/** Helpers the token API's HTTP tests share (spec 004). */
import { randomUUID } from "node:crypto";
import type { LightMyRequestResponse } from "fastify";
import {
  type CryptoKey,
  createLocalJWKSet,
  decodeJwt,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JSONWebKeySet,
  type JWTPayload,
  SignJWT,
} from "jose";
import { generate } from "otplib";
import { expect } from "vitest";
import { createClient } from "../../src/core/clients/clients.js";
import type { ClientId } from "../../src/core/ids.js";
import type { AuditEventRecord } from "../../src/core/model/index.js";
import { type Harness, TENANT } from "./harness.js";

export const ISSUER = "https://auth.example.test/tenants/default";
export const LONG_URL = "https://auth.example.test/auth/tokens/long";
export const LONG_TOKEN = /^tsr_lt_[0-9A-Za-z]{49}$/;
export const DAY_MS = 86_400_000;
/** The scopes a test client gets unless it asks for others. */
export const CLIENT_SCOPES = ["deploy:read", "deploy:write", "tokens:write"];
/** The `typ` of a short-term token: not `at+jwt`, so no access-token check takes it for a user's. */
export const SHORT_TERM_TYP = "automation+jwt";

export interface TestClient {
  readonly id: string;
  readonly name: string;
  readonly secret: string;
  readonly otpauthUri: string | undefined;
}

export interface LongTokenBody {
  readonly token_id: string;
  readonly token: string;
  readonly token_type: string;
  readonly scopes: string[];
  readonly expires_at: string;
}

export interface ShortTokenBody {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly token_id: string;
  readonly scope: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly instance: string;
}

let clientCount = 0;

/**
 * Writes a client's allowed audiences straight to the store, past the checks
 * `tessera client update` makes: a list an earlier version allowed, such as a
 * session API client's id (refused since, see `refuseClientIdAudiences`).
 */
export async function allowAudiencesUnchecked(
  h: Harness,
  clientId: string,
  audiences: readonly string[],
): Promise<void> {
  const updated = await h.runtime.ctx.store.clients.update(
    TENANT,
    clientId as ClientId,
    { audiences: [...audiences] },
    h.clock.now(),
  );
  expect(updated?.audiences).toEqual(audiences);
}

/** Registers a client no other test touches (default scopes {@link CLIENT_SCOPES}). */
export async function addClient(
  h: Harness,
  options: {
    readonly scopes?: readonly string[];
    readonly otp?: boolean;
    readonly publicKeys?: readonly string[];
    readonly maxTokenTtlDays?: number;
    readonly audiences?: readonly string[];
  } = {},
): Promise<TestClient> {
  clientCount += 1;
  const created = await createClient(h.runtime.ctx, {
    tenantId: TENANT,
    name: `client-${clientCount}`,
    scopes: options.scopes ?? CLIENT_SCOPES,
    ...(options.otp === undefined ? {} : { otp: options.otp }),
    ...(options.publicKeys === undefined ? {} : { publicKeys: options.publicKeys }),
    ...(options.maxTokenTtlDays === undefined ? {} : { maxTokenTtlDays: options.maxTokenTtlDays }),
    ...(options.audiences === undefined ? {} : { audiences: options.audiences }),
  });
  return {
    id: created.client.id,
    name: created.client.name,
    secret: created.clientSecret ?? "",
    otpauthUri: created.otpauthUri,
  };
}

type Headers = Record<string, string | undefined>;

function definedHeaders(headers: Headers): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/**
 * `POST /auth/tokens/long` with the harness's X-API-Key, and JSON unless
 * `body` is undefined (then no body and no Content-Type). An `undefined`
 * value in `headers` drops that header.
 */
export function postLong(
  h: Harness,
  body: unknown,
  headers: Headers = {},
): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: "POST",
    url: "/auth/tokens/long",
    headers: definedHeaders({
      "content-type": body === undefined ? undefined : "application/json",
      "x-api-key": h.apiKey,
      ...headers,
    }),
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

/** The client-credentials body for `client`'s secret. */
export function secretBody(client: TestClient, extra: Record<string, unknown> = {}) {
  return {
    grant_type: "client_credentials",
    client_id: client.id,
    client_secret: client.secret,
    ...extra,
  };
}

/** A long-term token by client secret; fails the test unless it is a 201. */
export async function issueLong(
  h: Harness,
  client: TestClient,
  extra: Record<string, unknown> = {},
): Promise<LongTokenBody> {
  const response = await postLong(h, secretBody(client, extra));
  expect(response.statusCode, response.body).toBe(201);
  return response.json<LongTokenBody>();
}

/** `POST /auth/tokens/short`; without `body`, no body and no Content-Type at all. */
export function postShort(
  h: Harness,
  longToken: string | undefined,
  body?: unknown,
): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: "POST",
    url: "/auth/tokens/short",
    headers: definedHeaders({
      authorization: longToken === undefined ? undefined : `Bearer ${longToken}`,
      "content-type": body === undefined ? undefined : "application/json",
    }),
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

/** A short-term token; fails the test unless it is a 201. */
export async function issueShort(
  h: Harness,
  longToken: string,
  body?: unknown,
): Promise<ShortTokenBody> {
  const response = await postShort(h, longToken, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<ShortTokenBody>();
}

/** `POST /auth/tokens/{tokenId}/revoke` with `Authorization: Bearer <token>`. */
export function revokeToken(
  h: Harness,
  token: string | undefined,
  tokenId: string,
): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: "POST",
    url: `/auth/tokens/${encodeURIComponent(tokenId)}/revoke`,
    headers: definedHeaders({ authorization: token === undefined ? undefined : `Bearer ${token}` }),
  });
}

/** `GET /auth/tokens` with `Authorization: Bearer <token>`; `query` without the `?`. */
export function listTokens(
  h: Harness,
  token: string | undefined,
  query = "",
): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: "GET",
    url: query === "" ? "/auth/tokens" : `/auth/tokens?${query}`,
    headers: definedHeaders({ authorization: token === undefined ? undefined : `Bearer ${token}` }),
  });
}

/**
 * Checks an RFC 9457 problem: its media type, exactly the six members, the
 * status and code, the type URI and the request id as instance. Returns it.
 */
export function expectProblem(
  response: LightMyRequestResponse,
  status: number,
  code: string,
): Problem {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
  const problem = response.json<Problem>();
  expect(Object.keys(problem).sort()).toEqual(
    ["code", "detail", "instance", "status", "title", "type"].sort(),
  );
  expect(problem).toMatchObject({ status, code, type: `urn:tessera:problem:${code}` });
  expect(problem.title).toEqual(expect.any(String));
  expect(problem.detail).toEqual(expect.any(String));
  expect(problem.instance).toBe(`urn:uuid:${String(response.headers["x-request-id"])}`);
  return problem;
}

/** A problem without its per-request `instance`, to compare two answers. */
export function withoutInstance(problem: Problem): Omit<Problem, "instance"> {
  const { instance: _instance, ...rest } = problem;
  return rest;
}

/** The TOTP code at `atMs`, computed by otplib from the seed in the client's `otpauth://` URI. */
export async function otpCode(client: TestClient, atMs: number): Promise<string> {
  if (client.otpauthUri === undefined) {
    throw new Error("client has no OTP enrolment");
  }
  const secret = new URL(client.otpauthUri).searchParams.get("secret");
  if (secret === null) {
    throw new Error("otpauth URI without a secret");
  }
  return generate({ secret, epoch: Math.floor(atMs / 1000) });
}

export type AssertionAlg = "ES256" | "RS256" | "EdDSA";

export interface SigningKey {
  readonly alg: AssertionAlg;
  readonly privateKey: CryptoKey;
  readonly pem: string;
  readonly jwk: string;
}

/** A new key pair, with its public half as PEM (SPKI) and as JWK text. */
export async function newSigningKey(alg: AssertionAlg): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return {
    alg,
    privateKey,
    pem: await exportSPKI(publicKey),
    jwk: JSON.stringify(await exportJWK(publicKey)),
  };
}

/**
 * A client assertion (RFC 7523) for `client` valid at the harness's clock:
 * `iss` = `sub` = client id, `aud` this endpoint, `exp` a minute ahead, a
 * fresh `jti`. `claims` overrides or (with `undefined`) drops claims.
 */
export function assertion(
  h: Harness,
  client: TestClient,
  key: SigningKey,
  claims: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(h.clock.now() / 1000);
  const merged: Record<string, unknown> = {
    iss: client.id,
    sub: client.id,
    aud: LONG_URL,
    iat: now,
    exp: now + 60,
    jti: randomUUID(),
    ...claims,
  };
  const payload = Object.fromEntries(
    Object.entries(merged).filter(([, value]) => value !== undefined),
  ) as JWTPayload;
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg }).sign(key.privateKey);
}

/** The audit events of `type`, oldest first. */
export async function auditOf(h: Harness, type: string): Promise<AuditEventRecord[]> {
  const events = await h.runtime.ctx.store.audit.list(TENANT, { limit: 500 });
  return events.filter((event) => event.type === type);
}

/** The newest audit event of `type`. */
export async function lastAudit(h: Harness, type: string): Promise<AuditEventRecord | undefined> {
  return (await auditOf(h, type)).at(-1);
}

/** The served JWKS of the default tenant, for jose. */
export async function servedJwks(h: Harness) {
  const response = await h.app.inject({ method: "GET", url: "/.well-known/jwks.json" });
  expect(response.statusCode).toBe(200);
  return createLocalJWKSet(response.json<JSONWebKeySet>());
}

/** ISO 8601 of the harness's clock plus `days`. */
export function isoDaysAhead(h: Harness, days: number): string {
  return new Date(h.clock.now() + days * DAY_MS).toISOString();
}

/** The same claims under `{alg: none}`, with no signature. */
export function unsignedCopy(jwt: string): string {
  const [, payload] = jwt.split(".");
  const header = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
  return `${header}.${payload ?? ""}.`;
}

/** The same claims signed HS256 with `secret` (e.g. a registered public key's PEM: key confusion). */
export function hs256Copy(jwt: string, secret: string): Promise<string> {
  return new SignJWT(decodeJwt(jwt)).setProtectedHeader({ alg: "HS256" }).sign(Buffer.from(secret));
}

/** The client-credentials body for an OTP code. */
export function otpBody(client: { readonly id: string }, code: string) {
  return { grant_type: "client_credentials", client_id: client.id, otp_code: code };
}
