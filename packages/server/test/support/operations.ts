/** Helpers the operations API's token tests share. */
import { createPublicKey } from "node:crypto";
import type { LightMyRequestResponse } from "fastify";
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  generateKeyPair,
  type JSONWebKeySet,
  jwtVerify,
  SignJWT,
} from "jose";
import { expect } from "vitest";
import { type Harness, PASSWORD, startHarness, TENANT } from "./harness.js";

export const ADMIN = "HDB_ADMIN";
export const ISSUER = "https://auth.example.test/tenants/default";
export const AUDIENCE = "tessera:operations";
export const DAY_S = 86_400;
export const DAY_MS = DAY_S * 1000;
/** Past the server's clock tolerance (1 s by default), so an expiry really counts. */
export const PAST_TOLERANCE_MS = 10_000;

export interface Tokens {
  readonly operation_token: string;
  readonly refresh_token: string;
}

export interface SessionItem {
  readonly session_id: string;
  readonly username: string | null;
  readonly client_id: string;
  readonly created_at: number;
  readonly expires_at: number;
  readonly last_refreshed_at: number | null;
  readonly revoked_at: number | null;
  readonly revoked_reason: string | null;
  readonly impersonator_user_id: string | null;
  readonly parent_session_id: string | null;
  readonly current: boolean;
}

/** A harness with HarperDB's admin (role super_user) and two plain users, alice and bob. */
export async function startOperationsHarness(env: Record<string, string> = {}): Promise<Harness> {
  const h = await startHarness({
    TESSERA_ADMIN_USERNAME: ADMIN,
    TESSERA_ADMIN_PASSWORD: PASSWORD,
    ...env,
  });
  await h.addUser("alice");
  await h.addUser("bob");
  return h;
}

let userCount = 0;
/** Adds a user no other test touches, for tests that count that user's sessions. */
export async function freshUser(h: Harness): Promise<string> {
  userCount += 1;
  const username = `user${userCount}`;
  await h.addUser(username);
  return username;
}

export function expectError(response: LightMyRequestResponse, status: number, error: string): void {
  expect({ status: response.statusCode, body: response.json() }).toEqual({
    status,
    body: { error },
  });
}

export async function login(
  h: Harness,
  username: string,
  extra: Record<string, unknown> = {},
): Promise<Tokens> {
  const response = await h.operation({
    operation: "create_authentication_tokens",
    username,
    password: PASSWORD,
    ...extra,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Tokens>();
}

export function userInfo(h: Harness, authorization?: string) {
  return h.operation({ operation: "user_info" }, authorization);
}

export function refresh(h: Harness, authorization?: string, body: Record<string, unknown> = {}) {
  return h.operation({ operation: "refresh_operation_token", ...body }, authorization);
}

export function revoke(h: Harness, authorization: string, body: Record<string, unknown> = {}) {
  return h.operation({ operation: "revoke_authentication_tokens", ...body }, authorization);
}

export async function listSessions(
  h: Harness,
  authorization: string,
  body: Record<string, unknown> = {},
): Promise<SessionItem[]> {
  const response = await h.operation({ operation: "list_sessions", ...body }, authorization);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<SessionItem[]>();
}

export function sidOf(token: string): string {
  const { sid } = decodeJwt(token);
  if (typeof sid !== "string") {
    throw new Error("token without sid");
  }
  return sid;
}

export async function servedKeys(h: Harness) {
  const response = await h.app.inject({ method: "GET", url: "/.well-known/jwks.json" });
  expect(response.statusCode).toBe(200);
  return response.json<JSONWebKeySet>();
}

export function verify(h: Harness, token: string, keys: JSONWebKeySet) {
  return jwtVerify(token, createLocalJWKSet(keys), {
    algorithms: ["RS256"],
    issuer: ISSUER,
    audience: AUDIENCE,
    typ: "JWT",
    currentDate: new Date(h.clock.now()),
  });
}

export async function auditEvents(h: Harness) {
  return h.runtime.ctx.store.audit.list(TENANT, { limit: 100 });
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** The same header and claims, signed by a key the server never issued (same `kid`). */
export async function forged(token: string): Promise<string> {
  const { privateKey } = await generateKeyPair("RS256");
  return new SignJWT(decodeJwt(token))
    .setProtectedHeader({ alg: "RS256", kid: decodeProtectedHeader(token).kid ?? "", typ: "JWT" })
    .sign(privateKey);
}

/** The same claims with `alg: none` and no signature. */
export function unsigned(token: string): string {
  const header = { alg: "none", kid: decodeProtectedHeader(token).kid, typ: "JWT" };
  return `${base64url(header)}.${base64url(decodeJwt(token))}.`;
}

/** The same claims signed HS256 with the server's public key as the secret (key confusion). */
export async function hmacWithPublicKey(token: string, keys: JSONWebKeySet): Promise<string> {
  const kid = decodeProtectedHeader(token).kid;
  const jwk = keys.keys.find((key) => key.kid === kid);
  if (jwk === undefined) {
    throw new Error("kid not served");
  }
  const pem = createPublicKey({ key: { ...jwk }, format: "jwk" }).export({
    type: "spki",
    format: "pem",
  });
  return new SignJWT(decodeJwt(token))
    .setProtectedHeader({ alg: "HS256", kid: kid ?? "", typ: "JWT" })
    .sign(Buffer.from(pem));
}
