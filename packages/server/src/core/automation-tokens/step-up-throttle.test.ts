import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import { createClient } from "../clients/clients.js";
import type { TenantRecord } from "../model/index.js";
import { getTenant } from "../tenants.js";
import { stepUp } from "./step-up.js";

/**
 * The step-up throttle, as the token API and OAuth's token endpoint meet it:
 * client ids are not secrets, so naming one from anywhere must not lock its
 * client out, nor tell whether it exists.
 */

const BUDGET = 3;
const ISSUER = "https://auth.example.test/tenants/default";
const TOKEN_URL = `${ISSUER}/oauth/token`;

let h: Harness;
let tenant: TenantRecord;
let count = 0;

beforeAll(async () => {
  h = await startHarness({
    TESSERA_STEP_UP_MAX_FAILURES_PER_CLIENT: String(BUDGET),
    TESSERA_STEP_UP_MAX_FAILURES_PER_IP: "1000",
  });
  tenant = await getTenant(h.runtime.ctx, TENANT);
});
afterAll(async () => {
  await h.close();
});

async function newClient(options: { otp?: boolean; publicKeys?: string[] } = {}) {
  count += 1;
  const created = await createClient(h.runtime.ctx, {
    tenantId: TENANT,
    name: `throttled-${count}`,
    scopes: [],
    ...options,
  });
  return { id: created.client.id, secret: created.clientSecret ?? "" };
}

/** A step-up by secret from `ip`: the error code it ends with, or `ok`. */
async function bySecret(clientId: string, secret: string, ip: string): Promise<string> {
  try {
    await stepUp(h.runtime.ctx, {
      tenant,
      ip,
      proof: { method: "client_secret", clientId, secret },
    });
    return "ok";
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`;
  }
}

const FAILED = "invalid_credentials: Client authentication failed";
const LOCKED = "rate_limited: Too many failed client authentications; try again later";

describe("step-up throttle: failures count per client and address", () => {
  it("locks a client out at the address its wrong secrets came from, not at another", async () => {
    const client = await newClient();
    for (let i = 0; i < BUDGET; i++) {
      expect(await bySecret(client.id, "tsr_cs_wrong", "192.0.2.10")).toBe(FAILED);
    }
    expect(await bySecret(client.id, client.secret, "192.0.2.10")).toBe(LOCKED);
    expect(await bySecret(client.id, client.secret, "198.51.100.20")).toBe("ok");
  });

  it("answers an unknown client id exactly as a known one, once the failures run out too", async () => {
    const known = await newClient();
    const answers = async (clientId: string) => {
      const seen: string[] = [];
      for (let i = 0; i <= BUDGET; i++) {
        seen.push(await bySecret(clientId, "tsr_cs_wrong", "192.0.2.11"));
      }
      return seen;
    };
    const forKnown = await answers(known.id);
    expect(forKnown).toEqual([...Array(BUDGET).fill(FAILED), LOCKED]);
    expect(await answers("no-such-client")).toEqual(forKnown);
  });

  it("lets junk assertions naming a client in iss, from many addresses, lock nothing", async () => {
    const pair = await generateKeyPair("ES256");
    const stranger = await generateKeyPair("ES256");
    const client = await newClient({ publicKeys: [await exportSPKI(pair.publicKey)] });
    const now = Math.floor(h.clock.now() / 1000);
    for (let i = 0; i < 3 * BUDGET; i++) {
      const junk = await new SignJWT({})
        .setProtectedHeader({ alg: "ES256" })
        .setIssuer(client.id)
        .setSubject(client.id)
        .setAudience(TOKEN_URL)
        .setExpirationTime(now + 60)
        .setJti(`junk-${i}`)
        .sign(stranger.privateKey);
      await expect(
        stepUp(h.runtime.ctx, {
          tenant,
          ip: `203.0.113.${i + 1}`,
          proof: { method: "assertion", assertion: junk, audiences: [TOKEN_URL] },
        }),
      ).rejects.toMatchObject({ code: "invalid_credentials" });
    }
    const genuine = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256" })
      .setIssuer(client.id)
      .setSubject(client.id)
      .setAudience(TOKEN_URL)
      .setExpirationTime(now + 60)
      .setJti("genuine")
      .sign(pair.privateKey);
    const proven = await stepUp(h.runtime.ctx, {
      tenant,
      ip: "192.0.2.12",
      proof: { method: "assertion", assertion: genuine, audiences: [TOKEN_URL] },
    });
    expect(proven.id).toBe(client.id);
  });

  it("counts wrong OTP codes per client from any address, locking its OTP step-ups only", async () => {
    const client = await newClient({ otp: true });
    const byCode = (ip: string) =>
      stepUp(h.runtime.ctx, {
        tenant,
        ip,
        proof: { method: "otp", clientId: client.id, code: "00000x" },
      });
    for (let i = 0; i < BUDGET; i++) {
      await expect(byCode(`198.51.100.${i + 1}`)).rejects.toMatchObject({
        code: "invalid_credentials",
      });
    }
    // Six digits can be guessed from many addresses: the next code is refused wherever it comes from.
    await expect(byCode("198.51.100.99")).rejects.toMatchObject({ code: "rate_limited" });
    expect(await bySecret(client.id, client.secret, "198.51.100.99")).toBe("ok");
  });
});
