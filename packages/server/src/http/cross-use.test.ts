import type { LightMyRequestResponse } from "fastify";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bearer,
  type Harness,
  type SessionBody,
  sessionOf,
  startHarness,
  TENANT,
} from "../../test/support/harness.js";
import { login, type Tokens } from "../../test/support/operations.js";
import {
  addClient,
  allowAudiencesUnchecked,
  issueLong,
  issueShort,
  postLong,
  postShort,
} from "../../test/support/token-api.js";
import type { ClientId } from "../core/ids.js";

/**
 * One kind of token sent where another kind goes: a machine's short-term
 * token (holding `tokens:write`, minted for an audience that is a session
 * API client's id, as an operator may allow) to every endpoint that takes
 * a user's or a step-up token, and a user's access token to the token
 * API's. Each is refused, in the dialect's words, and no session or token
 * ends because of it.
 */

let h: Harness;
let root: SessionBody;
let operations: Tokens;
let machine: { long: string; forSessionClient: string; forIssuer: string };

/** What a refused request must answer: status and (part of) the body. */
interface Refusal {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const tokenApi401: Refusal = { status: 401, body: { code: "invalid_token" } };
const sessionApi401: Refusal = { status: 401, body: { status: "error" } };

/** One cross-use: where a token goes, with the token that belongs there and the one that does not. */
interface CrossUse {
  readonly where: string;
  readonly send: (token: string) => Promise<LightMyRequestResponse>;
  readonly belongs: () => string;
  readonly intruder: () => string;
  readonly refusal: Refusal;
}

const impersonate = (accessToken: string) =>
  h.send(
    "POST",
    "/auth/impersonate",
    { username: "alice" },
    { authorization: bearer(root.session.authorization), accesstoken: accessToken },
  );

const crossUses: readonly CrossUse[] = [
  {
    where: "a machine's short-term token as the step-up Bearer of POST /auth/tokens/long",
    send: (token) => postLong(h, {}, { authorization: bearer(token) }),
    belongs: () => machine.forIssuer,
    intruder: () => machine.forSessionClient,
    refusal: tokenApi401,
  },
  {
    where: "a machine's short-term token as the operations API's Bearer",
    send: (token) => h.operation({ operation: "user_info" }, bearer(token)),
    belongs: () => operations.operation_token,
    intruder: () => machine.forSessionClient,
    refusal: { status: 401, body: { error: "invalid token" } },
  },
  {
    where: "a machine's short-term token as impersonate's AccessToken",
    send: impersonate,
    belongs: () => root.session.accessToken,
    intruder: () => machine.forSessionClient,
    refusal: sessionApi401,
  },
  {
    where: "a user's access token as the step-up Bearer of POST /auth/tokens/long",
    send: (token) => postLong(h, {}, { authorization: bearer(token) }),
    belongs: () => machine.forIssuer,
    intruder: () => root.session.accessToken,
    refusal: tokenApi401,
  },
  {
    where: "a user's access token as the Bearer of the short-term exchange",
    send: (token) => postShort(h, token),
    belongs: () => machine.long,
    intruder: () => root.session.accessToken,
    refusal: tokenApi401,
  },
];

/** Every session of the tenant and every token of the machine client, ended or not. */
async function revokedSoFar(clientId: ClientId): Promise<string[]> {
  const now = h.clock.now();
  const sessions = await h.runtime.store.sessions.list(TENANT, {
    includeEnded: true,
    now,
    limit: 1000,
  });
  const tokens = await h.runtime.store.automationTokens.listForClient(TENANT, clientId, {
    includeEnded: true,
    now,
    limit: 1000,
  });
  return [...sessions, ...tokens]
    .filter((record) => record.revokedAt !== null)
    .map((record) => record.id);
}

describe("tokens sent where another kind goes", () => {
  let clientId: ClientId;
  beforeAll(async () => {
    h = await startHarness();
    await h.addUser("root", ["admin", "impersonate"]);
    await h.addUser("alice");
    root = sessionOf(await h.login("root"));
    operations = await login(h, "root");
    const client = await addClient(h, { scopes: ["tokens:write"] });
    // Refused today, but a list of an earlier version may hold it: the typ still tells them apart.
    await allowAudiencesUnchecked(h, client.id, [h.clientId]);
    clientId = client.id as ClientId;
    const long = await issueLong(h, client);
    machine = {
      long: long.token,
      forSessionClient: (await issueShort(h, long.token, { audience: h.clientId })).access_token,
      forIssuer: (await issueShort(h, long.token)).access_token,
    };
    // The machine's token has everything a user's access token of this client has but its kind.
    expect(decodeJwt(machine.forSessionClient)).toMatchObject({
      aud: h.clientId,
      iss: decodeJwt(root.session.accessToken).iss,
      scope: "tokens:write",
    });
  });
  afterAll(async () => {
    await h.close();
  });

  const cases = crossUses.map((crossUse) => [crossUse.where, crossUse] as const);

  it.each(cases)("refuses %s", async (_where, { send, intruder, refusal }) => {
    const response = await send(intruder());
    expect(response.statusCode, response.body).toBe(refusal.status);
    expect(response.json()).toMatchObject(refusal.body);
    expect(await revokedSoFar(clientId)).toEqual([]);
  });

  it("ends no session when a machine's short-term token is sent to DELETE /auth/token", async () => {
    const response = await h.send("DELETE", "/auth/token", {
      session: { accessToken: machine.forSessionClient },
    });
    // RFC 7009 §2.2: a token that ends nothing is answered as a success, and changes nothing.
    expect(response.statusCode, response.body).toBe(200);
    expect(await revokedSoFar(clientId)).toEqual([]);
    expect((await h.send("POST", "/auth/token", root)).statusCode).toBe(200);
    // The same request with a user's access token does end that user's session.
    const alice = sessionOf(await h.login("alice"));
    await h.send("DELETE", "/auth/token", { session: { accessToken: alice.session.accessToken } });
    expect(await revokedSoFar(clientId)).toEqual([decodeJwt(alice.session.accessToken).sid]);
  });

  it.each(cases)(
    "takes the token that belongs where it refuses %s",
    async (_where, { send, belongs }) => {
      const response = await send(belongs());
      expect(response.statusCode, response.body).toBeGreaterThanOrEqual(200);
      expect(response.statusCode, response.body).toBeLessThan(300);
    },
  );
});
