import { randomBytes, randomUUID } from "node:crypto";

declare const brand: unique symbol;

/** A string that the type system keeps apart from other strings. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type TenantId = Brand<string, "TenantId">;
export type UserId = Brand<string, "UserId">;
export type SessionId = Brand<string, "SessionId">;
export type ApiKeyId = Brand<string, "ApiKeyId">;
export type ClientId = Brand<string, "ClientId">;
export type KeyId = Brand<string, "KeyId">;
export type RoleId = Brand<string, "RoleId">;
/** The id of a long- or short-term automation token (`lt_…`, `st_…`). */
export type TokenId = Brand<string, "TokenId">;
/** SHA-256 of a secret, hex-encoded. The only form a secret is stored in. */
export type TokenHash = Brand<string, "TokenHash">;

/** A new random user id (UUID v4, as Cognito's `sub`). */
export function newUserId(): UserId {
  return randomUUID() as UserId;
}

/** A new random role id (a UUID, as HarperDB's role ids). */
export function newRoleId(): RoleId {
  return randomUUID() as RoleId;
}

/** A new random session id. */
export function newSessionId(): SessionId {
  return randomUUID() as SessionId;
}

/** A new random API key id. */
export function newApiKeyId(): ApiKeyId {
  return `ak_${randomBytes(9).toString("base64url")}` as ApiKeyId;
}

/** A new automation token id: `lt_` or `st_` and 128 random bits, base64url. */
export function newTokenId(kind: "long_term" | "short_term"): TokenId {
  return `${kind === "long_term" ? "lt" : "st"}_${randomBytes(16).toString("base64url")}` as TokenId;
}

/** Exactly the ids {@link newTokenId} makes: the prefix, then 16 bytes as 22 base64url characters. */
const TOKEN_ID_PATTERN = {
  long_term: /^lt_[A-Za-z0-9_-]{22}$/,
  short_term: /^st_[A-Za-z0-9_-]{22}$/,
};

/** True when `value` has exactly the shape of a `kind` token id, so it is worth looking up. */
export function isTokenId(value: unknown, kind: "long_term" | "short_term"): value is TokenId {
  return typeof value === "string" && TOKEN_ID_PATTERN[kind].test(value);
}

const CLIENT_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A new client application id: 26 lowercase alphanumerics, as Cognito's app client ids. */
export function newClientId(): ClientId {
  const bytes = randomBytes(26);
  let id = "";
  for (const byte of bytes) {
    // 252 = 7 * 36: rejection would remove the bias entirely, but a client id is
    // an identifier, not a secret, so the tiny skew of `% 36` over 256 is harmless.
    id += CLIENT_ID_ALPHABET[byte % CLIENT_ID_ALPHABET.length];
  }
  return id as ClientId;
}

/** Tenant ids are operator-chosen slugs: `default`, `acme-prod`. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** True when `value` is a well-formed tenant id. */
export function isTenantId(value: string): value is TenantId {
  return TENANT_ID_PATTERN.test(value);
}
