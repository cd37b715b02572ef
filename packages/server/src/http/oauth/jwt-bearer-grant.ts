import { issueJwtBearerToken, proveJwtBearerClient } from "../../core/grants/jwt-bearer.js";
import type { ClientRecord } from "../../core/model/index.js";
import { clientTokenAnswer, type GrantCall, scopesOf, type TokenResponse } from "./grant-call.js";

/**
 * RFC 7523 §2.1: an access token for the client itself, for an assertion
 * it signed with one of its registered keys, issued as the client
 * credentials grant issues it (`scope`, `resource` and `audience` alike).
 * The client authenticated by its registered method, and the assertion
 * must be its own.
 */
export async function jwtBearer(call: GrantCall): Promise<TokenResponse> {
  const client = await proveJwtBearerClient(call.ctx, {
    tenant: call.served.tenant,
    assertion: call.form.require("assertion"),
    audiences: call.served.assertionAudiences,
    ip: call.request.ip,
    client: call.client,
  });
  return issue(call, client);
}

/**
 * RFC 7523 §3.1 makes client authentication optional with this grant:
 * when the request carries none (a `client_id` alone identifies, it does
 * not authenticate), the verified assertion identifies the client, which
 * must be a `private_key_jwt` client registered for the grant. `count`
 * charges the client's request budget once it is known.
 */
export async function jwtBearerWithoutClientAuthentication(
  call: Omit<GrantCall, "client">,
  count: (client: ClientRecord) => Promise<void>,
): Promise<TokenResponse> {
  const clientId = call.form.get("client_id");
  const client = await proveJwtBearerClient(call.ctx, {
    tenant: call.served.tenant,
    assertion: call.form.require("assertion"),
    audiences: call.served.assertionAudiences,
    ip: call.request.ip,
    ...(clientId === undefined ? {} : { clientId }),
  });
  await count(client);
  return issue({ ...call, client }, client);
}

async function issue(call: GrantCall, client: ClientRecord): Promise<TokenResponse> {
  const scopes = scopesOf(call.form.get("scope"));
  const issued = await issueJwtBearerToken(call.ctx, {
    tenant: call.served.tenant,
    client,
    ip: call.request.ip,
    resources: call.form.all("resource"),
    audiences: call.form.all("audience"),
    ...(scopes === undefined ? {} : { scopes }),
  });
  return clientTokenAnswer(issued);
}
