import type { LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import { createApiKey } from "../../src/core/api-keys.js";
import { createClient } from "../../src/core/clients/clients.js";
import { createTenant } from "../../src/core/tenants.js";
import { addUser } from "../../src/core/users.js";
import { type Harness, PASSWORD, sessionOf, TENANT } from "./harness.js";
import { postToken } from "./oauth.js";

/** Where the default tenant's admin resources are. */
export const ADMIN = "/admin/v1/tenants/default";

let count = 0;

/** A fresh name, unique in this process. */
export function unique(prefix: string): string {
  count += 1;
  return `${prefix}-${count}-${Math.random().toString(36).slice(2, 8)}`;
}

const adminKeys = new WeakMap<Harness, Map<string, string>>();

/**
 * The API key of an admin client of the default tenant (a public client
 * for the session API's logins whose scopes are `scopes`), made once per
 * harness and scope set.
 */
export async function adminClientKey(
  h: Harness,
  scopes: readonly string[] = ["admin:read", "admin:write"],
): Promise<string> {
  const keys = adminKeys.get(h) ?? new Map<string, string>();
  adminKeys.set(h, keys);
  const known = keys.get(scopes.join(" "));
  if (known !== undefined) {
    return known;
  }
  const created = await createClient(h.runtime.ctx, {
    tenantId: TENANT,
    name: unique("console"),
    scopes,
    tokenEndpointAuthMethod: "none",
    grantTypes: ["password", "refresh_token"],
  });
  const { key } = await createApiKey(h.runtime.ctx, {
    tenantId: TENANT,
    name: "admin",
    client: created.client.id,
  });
  keys.set(scopes.join(" "), key);
  return key;
}

/** Logs `username` in through the admin client; the session API's answer. */
export async function loginAdmin(h: Harness, username: string): Promise<LightMyRequestResponse> {
  return h.login(username, PASSWORD, await adminClientKey(h));
}

/**
 * The access token of a new user of the default tenant with
 * `permissions`, by a session API login through an admin client.
 */
export async function userToken(h: Harness, permissions: readonly string[]): Promise<string> {
  const username = unique("op");
  await h.addUser(username, [...permissions]);
  return sessionOf(await loginAdmin(h, username)).session.accessToken;
}

/** A client credentials token of a new client of `tenant` holding `scopes`. */
export async function clientToken(
  h: Harness,
  scopes: readonly string[],
  tenant: string = TENANT,
): Promise<{ readonly token: string; readonly clientId: string }> {
  const created = await createClient(h.runtime.ctx, {
    tenantId: tenant as never,
    name: unique("bot"),
    scopes,
    grantTypes: ["client_credentials"],
  });
  const response = await postToken(
    h,
    {
      grant_type: "client_credentials",
      client_id: created.client.id,
      client_secret: created.clientSecret ?? "",
    },
    {},
    `/tenants/${tenant}/oauth/token`,
  );
  expect(response.statusCode, response.body).toBe(200);
  return {
    token: response.json<{ access_token: string }>().access_token,
    clientId: created.client.id,
  };
}

/** A new tenant, with a user of `permissions` in it; returns the tenant id and the user's token (by OAuth's password grant). */
export async function otherTenant(h: Harness): Promise<string> {
  const id = unique("t");
  await createTenant(h.runtime.ctx, { id });
  await addUser(h.runtime.ctx, { tenantId: id as never, username: "someone", password: PASSWORD });
  return id;
}

/** An admin API request with a Bearer token (none when `token` is undefined), JSON when `body` is given. */
export function admin(
  h: Harness,
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
  url: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method,
    url,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

/** Asserts an RFC 9457 problem of `status` and `code`, and returns it. */
export function expectAdminProblem(
  response: LightMyRequestResponse,
  status: number,
  code: string,
): { detail: string; code: string } {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
  const problem = response.json<{ detail: string; code: string; status: number }>();
  expect(problem).toMatchObject({ status, code });
  return problem;
}

/** A client as the admin API shows it, with what its creation showed once. */
export interface AdminClientBody {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly grant_types: string[];
  readonly token_endpoint_auth_method: string;
  readonly scopes: string[];
  readonly audiences: string[];
  readonly max_token_ttl_days: number;
  readonly otp_enrolled: boolean;
  readonly public_keys: { kid: string; alg: string; jwk: Record<string, unknown> }[];
  readonly secret_prefix: string | null;
  readonly previous_secret_expires_at: string | null;
  readonly updated_at: string;
  readonly client_secret?: string;
  readonly otpauth_uri?: string;
}

/** Registers a client through `POST …/clients` (a fresh name unless `body` has one); fails the test unless it is a 201. */
export async function createAdminClient(
  h: Harness,
  token: string,
  body: Record<string, unknown> = {},
): Promise<AdminClientBody> {
  const response = await admin(h, "POST", `${ADMIN}/clients`, token, {
    name: unique("app"),
    scopes: ["deploy:read"],
    ...body,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<AdminClientBody>();
}

/** A client credentials grant at the default tenant's OAuth token endpoint, the secret in the form. */
export function clientCredentials(
  h: Harness,
  clientId: string,
  secret: string,
): Promise<LightMyRequestResponse> {
  return postToken(h, {
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: secret,
  });
}
