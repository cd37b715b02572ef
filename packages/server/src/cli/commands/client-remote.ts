import { parseTokenEndpointAuthMethod } from "../../core/clients/auth-methods.js";
import { parsePublicKeys } from "../../core/clients/clients.js";
import { checkClientCoherence } from "../../core/clients/coherence.js";
import { parseGrantTypes } from "../../core/clients/grant-types.js";
import { echoInput } from "../../core/echo.js";
import { TesseraError } from "../../core/errors.js";
import type {
  AdminClientPublicKey,
  AdminClient as AdminClientResource,
  AdminTotpEnrolment,
  AdminUpdatedClient,
} from "../../http/admin-api/schemas/clients.js";
import type { RemoteCommandContext } from "../context.js";
import { remoteClient, remoteClientPath } from "../remote/client-lookups.js";
import type { ClientChange } from "./client-options.js";

/** A client changed through the admin API, with whatever secret the change made, shown only here. */
export interface RemoteUpdatedClient {
  readonly before: AdminClientResource;
  readonly after: AdminClientResource;
  readonly clientSecret?: string;
  readonly otpauthUri?: string;
}

/**
 * Refuses, before anything changes, what `updateClient` would refuse
 * without looking at the store: a key to remove that the client does not
 * have (the admin API's removal is idempotent, so it would not say), a
 * key that does not parse, settings that contradict each other as a whole
 * (see {@link checkClientCoherence}), or nothing to change. The admin API
 * applies a change in several requests; checked here, a refusal leaves
 * the client as it was.
 */
async function checkChange(before: AdminClientResource, change: ClientChange): Promise<void> {
  if (Object.values(change).every((value) => value === undefined)) {
    throw new TesseraError("invalid_request", "Nothing to change");
  }
  const grantTypes = parseGrantTypes(change.grantTypes ?? before.grant_types);
  const method = parseTokenEndpointAuthMethod(
    change.tokenEndpointAuthMethod ?? before.token_endpoint_auth_method,
  );
  const removed = new Set(change.removePublicKeys ?? []);
  const unknown = [...removed].filter((kid) => !before.public_keys.some((k) => k.kid === kid));
  if (unknown.length > 0) {
    throw new TesseraError(
      "not_found",
      `The client has no public key ${echoInput(unknown.join(", "))}`,
    );
  }
  const kept = before.public_keys
    .filter((k) => !removed.has(k.kid))
    .map((k) => JSON.stringify(k.jwk));
  checkClientCoherence({
    grantTypes,
    tokenEndpointAuthMethod: method,
    publicKeys: await parsePublicKeys([...kept, ...(change.addPublicKeys ?? [])]),
    totpSeedSealed:
      change.otp === "enrol" ? "" : change.otp === "remove" || !before.otp_enrolled ? null : "",
  });
}

/** The fields of `change` the admin API's `PATCH` takes; undefined when there are none. */
function patchOf(change: ClientChange): Record<string, unknown> | undefined {
  const body = {
    ...(change.name === undefined ? {} : { name: change.name }),
    ...(change.grantTypes === undefined ? {} : { grant_types: change.grantTypes }),
    ...(change.tokenEndpointAuthMethod === undefined
      ? {}
      : { token_endpoint_auth_method: change.tokenEndpointAuthMethod }),
    ...(change.scopes === undefined ? {} : { scopes: change.scopes }),
    ...(change.audiences === undefined ? {} : { audiences: change.audiences }),
    ...(change.maxTokenTtlDays === undefined ? {} : { max_token_ttl_days: change.maxTokenTtlDays }),
  };
  return Object.keys(body).length === 0 ? undefined : body;
}

/**
 * `client update` through the admin API: its `PATCH` for the settings,
 * and the routes of the client's public keys and TOTP enrolment for the
 * rest. Locally `updateClient` makes the change in one write; here it
 * takes several, ordered so that each step leaves a client that makes
 * sense whenever the whole change does: keys are added before the auth
 * method may come to need them and removed after it has stopped needing
 * them; an enrolment is removed before the grants may drop
 * `client_credentials` and made after they may have gained it.
 * {@link checkChange} refuses beforehand what would fail on the way.
 *
 * With only settings to change, it is one `PATCH` with the client's `ETag`
 * as `If-Match`, so a change made meanwhile fails instead of being
 * overwritten.
 */
export async function updateRemoteClient(
  command: RemoteCommandContext,
  idOrName: string,
  change: ClientChange,
): Promise<RemoteUpdatedClient> {
  const { client: before, etag } = await remoteClient(command, idOrName);
  await checkChange(before, change);
  const path = (below = "") => remoteClientPath(command, before.id, below);
  let wrote = false;
  for (const key of change.addPublicKeys ?? []) {
    await command.admin.call<AdminClientPublicKey>("POST", path("/public-keys"), {
      body: { public_key: key },
    });
    wrote = true;
  }
  if (change.otp === "remove") {
    await command.admin.call("DELETE", path("/totp"));
    wrote = true;
  }
  const body = patchOf(change);
  let after: AdminClientResource | undefined;
  let clientSecret: string | undefined;
  if (body !== undefined) {
    const { client_secret, ...updated } = (
      await command.admin.call<AdminUpdatedClient>("PATCH", path(), {
        body,
        // After a key or enrolment changed, the ETag read first no longer holds.
        ...(wrote || etag === undefined ? {} : { ifMatch: etag }),
      })
    ).body;
    after = updated;
    clientSecret = client_secret;
  }
  for (const kid of change.removePublicKeys ?? []) {
    await command.admin.call("DELETE", path(`/public-keys/${encodeURIComponent(kid)}`));
    after = undefined;
  }
  let otpauthUri: string | undefined;
  if (change.otp === "enrol") {
    otpauthUri = (await command.admin.call<AdminTotpEnrolment>("POST", path("/totp"))).body
      .otpauth_uri;
    after = undefined;
  }
  return {
    before,
    after: after ?? (await remoteClient(command, before.id)).client,
    ...(clientSecret === undefined ? {} : { clientSecret }),
    ...(otpauthUri === undefined ? {} : { otpauthUri }),
  };
}
