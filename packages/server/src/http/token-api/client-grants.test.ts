/**
 * `POST /auth/tokens/long` and the client aggregate: readable client ids,
 * the grant a step-up is for (secret and TOTP: `client_credentials`; an
 * assertion: `jwt-bearer`, or `client_credentials` when it says so), and
 * clients without a secret.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import {
  assertion,
  expectProblem,
  lastAudit,
  newSigningKey,
  postLong,
  type SigningKey,
  type TestClient,
  withoutInstance,
} from "../../../test/support/token-api.js";
import { createClient, type NewClientInput } from "../../core/clients/clients.js";

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

let h: Harness;
let key: SigningKey;
let count = 0;

beforeAll(async () => {
  h = await startHarness();
  key = await newSigningKey("ES256");
});
afterAll(async () => {
  await h.close();
});

async function add(input: Partial<NewClientInput> = {}): Promise<TestClient> {
  const created = await createClient(h.runtime.ctx, {
    tenantId: TENANT,
    name: `grants-${++count}`,
    scopes: ["tokens:write"],
    publicKeys: [key.pem],
    ...input,
  });
  return {
    id: created.client.id,
    name: created.client.name,
    secret: created.clientSecret ?? "",
    otpauthUri: created.otpauthUri,
  };
}

const bySecret = (client: TestClient, secret = client.secret) =>
  postLong(h, { grant_type: "client_credentials", client_id: client.id, client_secret: secret });

describe("POST /auth/tokens/long for the client aggregate: 201", () => {
  it("steps up a client registered under a readable id, by secret and by assertion", async () => {
    const client = await add({ id: "ci-bot" });
    expect(client.id).toBe("ci-bot");

    expect((await bySecret(client)).statusCode).toBe(201);
    const signed = await assertion(h, client, key);
    expect((await postLong(h, { assertion: signed })).statusCode).toBe(201);
  });

  it("takes an assertion naming client_credentials from a client without jwt-bearer", async () => {
    const client = await add({ grantTypes: ["client_credentials"] });
    const signed = await assertion(h, client, key);

    const response = await postLong(h, { grant_type: "client_credentials", assertion: signed });
    expect(response.statusCode, response.body).toBe(201);
  });
});

describe("POST /auth/tokens/long for the client aggregate: 401", () => {
  it("refuses a secret for a client without one exactly as a wrong secret", async () => {
    const confidential = await add();
    const keyed = await add({
      tokenEndpointAuthMethod: "private_key_jwt",
      grantTypes: ["client_credentials", JWT_BEARER],
    });

    const wrong = expectProblem(
      await bySecret(confidential, "tsr_cs_wrong"),
      401,
      "invalid_client",
    );
    const none = expectProblem(await bySecret(keyed, confidential.secret), 401, "invalid_client");
    expect(withoutInstance(none)).toEqual(withoutInstance(wrong));
    expect((await lastAudit(h, "client.step_up_failed"))?.detail).toMatchObject({
      clientId: keyed.id,
      reason: "no_secret",
    });
  });
});

describe("POST /auth/tokens/long for the client aggregate: 403", () => {
  it("tells a client that proved itself that it may not use client_credentials", async () => {
    const client = await add({ grantTypes: [JWT_BEARER] });

    const problem = expectProblem(await bySecret(client), 403, "forbidden");
    expect(problem.detail).toBe("This client may not use the client_credentials grant");
    expect((await lastAudit(h, "client.step_up_failed"))?.detail).toMatchObject({
      clientId: client.id,
      reason: "grant_not_allowed",
    });
  });

  it("tells a client that proved itself by assertion that it may not use jwt-bearer", async () => {
    const client = await add({ grantTypes: ["client_credentials"] });
    const signed = await assertion(h, client, key);

    const problem = expectProblem(await postLong(h, { assertion: signed }), 403, "forbidden");
    expect(problem.detail).toBe(`This client may not use the ${JWT_BEARER} grant`);
  });
});
