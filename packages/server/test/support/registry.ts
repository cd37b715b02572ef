/** Helpers the token registry's tests share: one real token of every kind, per tenant. */
import { randomUUID } from "node:crypto";
import { authenticateApiKey, createApiKey } from "../../src/core/api-keys.js";
import { issueLongTermToken } from "../../src/core/automation-tokens/long-term.js";
import { issueShortTermToken } from "../../src/core/automation-tokens/short-term.js";
import { createClient } from "../../src/core/clients/clients.js";
import { epochSeconds } from "../../src/core/clock.js";
import type { CoreContext } from "../../src/core/context.js";
import { delegateToken } from "../../src/core/grants/delegation.js";
import type { TenantId } from "../../src/core/ids.js";
import { signJwt } from "../../src/core/jws.js";
import type { ClientRecord, TenantRecord } from "../../src/core/model/index.js";
import { issueOperationTokens } from "../../src/core/operation-tokens/issue.js";
import { loginWithPassword } from "../../src/core/sessions/login.js";
import { createTenant, getTenant } from "../../src/core/tenants.js";
import { tenantIssuer } from "../../src/core/tokens/issuer.js";
import { requireToken } from "../../src/core/tokens/registry.js";
import type { TokenKind } from "../../src/core/tokens/types.js";
import { addUser } from "../../src/core/users.js";
import { PASSWORD } from "./harness.js";

/** One token of every kind Tessera issues, and the two client credentials, all of one tenant. */
export interface EveryKind {
  readonly tenant: TenantRecord;
  /** The session API client (an API key's) the session tokens were issued to. */
  readonly sessionClientId: string;
  /** The token API client the automation and client access tokens belong to. */
  readonly client: ClientRecord;
  readonly tokens: Readonly<Record<TokenKind, string>>;
  readonly clientSecret: string;
  readonly apiKey: string;
}

let count = 0;

/**
 * Issues one token of every kind for a fresh user and client of `tenantId`
 * (made when missing), through the same core functions the dialects call.
 * The client access token is signed as `core/grants/client-credentials.ts`
 * signs one: RFC 9068 claims, no `sid`, no `token_use`. The delegated access
 * token is the client's acting for the user, by `core/grants/delegation.ts`.
 */
export async function issueEveryKind(ctx: CoreContext, tenantId: TenantId): Promise<EveryKind> {
  count += 1;
  const tenant =
    (await ctx.store.tenants.get(tenantId)) ?? (await createTenant(ctx, { id: tenantId }));
  const username = `registry-user-${count}`;
  const user = await addUser(ctx, { tenantId, username, password: PASSWORD });
  const { key: apiKey } = await createApiKey(ctx, { tenantId, name: `registry-${count}` });
  const session = await loginWithPassword(ctx, {
    client: await authenticateApiKey(ctx, apiKey),
    username,
    password: PASSWORD,
    ip: "192.0.2.1",
  });
  const operations = await issueOperationTokens(ctx, { tenant, user, ip: "192.0.2.1" });
  const { client, clientSecret } = await createClient(ctx, {
    tenantId,
    name: `registry-client-${count}`,
    scopes: ["deploy:read", "tokens:write"],
  });
  const long = await issueLongTermToken(ctx, {
    tenant,
    client,
    method: "client_secret",
    grantedScopes: client.scopes,
    ip: "192.0.2.1",
  });
  const caller = await requireToken(ctx, long.token, { kinds: ["long_term_token"], tenantId });
  const short = await issueShortTermToken(ctx, { caller });
  const clientAccessToken = await signClientAccessToken(ctx, tenant, client);
  const delegated = await delegateToken(ctx, {
    tenant,
    client,
    subject: await requireToken(ctx, session.accessToken, { kinds: ["access_token"], tenantId }),
    actor: await requireToken(ctx, clientAccessToken, { kinds: ["client_access_token"], tenantId }),
    ip: "192.0.2.1",
  });
  return {
    tenant: await getTenant(ctx, tenantId),
    sessionClientId: session.clientId,
    client,
    clientSecret: clientSecret ?? "",
    apiKey,
    tokens: {
      access_token: session.accessToken,
      id_token: session.idToken,
      refresh_token: session.refreshToken,
      operation_token: operations.operationToken,
      operation_refresh_token: operations.refreshToken,
      long_term_token: long.token,
      short_term_token: short.accessToken,
      client_access_token: clientAccessToken,
      delegated_access_token: delegated.accessToken,
    },
  };
}

/** An RFC 9068 access token for `client` (client_credentials), signed with the tenant's key. */
export async function signClientAccessToken(
  ctx: CoreContext,
  tenant: TenantRecord,
  client: ClientRecord,
  options: {
    readonly ttlSeconds?: number;
    readonly audience?: string;
    readonly scope?: string;
    readonly act?: unknown;
  } = {},
): Promise<string> {
  const key = await ctx.keyring.signingKey(tenant.id, tenant.signingAlgorithm);
  const iat = epochSeconds(ctx.clock.now());
  const issuer = tenantIssuer(ctx, tenant.id);
  return signJwt(key, "at+jwt", {
    iss: issuer,
    sub: client.id,
    aud: options.audience ?? issuer,
    exp: iat + (options.ttlSeconds ?? 3600),
    iat,
    jti: randomUUID(),
    client_id: client.id,
    scope: options.scope ?? client.scopes.join(" "),
    ...(options.act === undefined ? {} : { act: options.act }),
  });
}

/**
 * A JWT's header and claims, re-encoded with `changes` and the original
 * signature: what a forger can send without the key.
 */
export function withParts(
  token: string,
  changes: { header?: Record<string, unknown>; claims?: Record<string, unknown> },
): string {
  const [header = "", claims = "", signature = ""] = token.split(".");
  const decode = (part: string) =>
    JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
  const encode = (value: Record<string, unknown>) =>
    Buffer.from(JSON.stringify(value)).toString("base64url");
  return [
    encode({ ...decode(header), ...changes.header }),
    encode({ ...decode(claims), ...changes.claims }),
    signature,
  ].join(".");
}
