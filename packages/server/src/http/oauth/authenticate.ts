import type { FastifyReply, FastifyRequest } from "fastify";
import { authenticateClient } from "../../core/clients/authenticate-client.js";
import type { GrantType } from "../../core/clients/grant-types.js";
import type { CoreContext } from "../../core/context.js";
import type { ClientRecord } from "../../core/model/index.js";
import type { RequestRateLimits } from "../rate-limit.js";
import { presentedCredentials } from "./client-auth.js";
import type { OAuthForm } from "./form.js";
import type { EndpointName } from "./paths.js";
import { SERVED_AUTH_METHODS, tokenAuthMethodsFor } from "./served.js";
import type { OAuthTenant } from "./tenant.js";

/**
 * Authenticates the client of a request to one of the tenant's endpoints
 * (token, introspection, revocation) by the one method it used, then
 * counts the request against the client's budget: counted once proven, so
 * nobody can spend a client's budget by naming it. At the token endpoint
 * the methods taken depend on the grant: `none` only for the grants a
 * public client may ask for ({@link tokenAuthMethodsFor}).
 */
export async function authenticateRequestClient(
  ctx: CoreContext,
  input: {
    readonly request: FastifyRequest;
    readonly reply: FastifyReply;
    readonly form: OAuthForm;
    readonly served: OAuthTenant;
    readonly limits: RequestRateLimits;
    /** The endpoint, whose client authentication methods apply. */
    readonly endpoint: EndpointName;
    readonly grant?: GrantType;
    /** A password grant of one of Tessera's own clients: by its id alone (`none`). */
    readonly firstParty?: boolean;
  },
): Promise<ClientRecord> {
  const { request, reply, form, served } = input;
  const { client } = await authenticateClient(ctx, {
    tenant: served.tenant,
    ip: request.ip,
    presented: presentedCredentials(request, form, served.assertionAudiencesOf(input.endpoint)),
    methods:
      input.firstParty === true
        ? ["none"]
        : input.endpoint === "token" && input.grant !== undefined
          ? tokenAuthMethodsFor(input.grant)
          : SERVED_AUTH_METHODS[input.endpoint],
    ...(input.grant === undefined ? {} : { grant: input.grant }),
  });
  await input.limits.countClient(request, reply, client);
  return client;
}
