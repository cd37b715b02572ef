import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlStore } from "../../store/sql/sql-store.js";
import { openSqliteStore } from "../../store/sqlite/open-sqlite.js";
import { newClientId, type TenantId, type TokenHash } from "../ids.js";
import type { ClientRecord } from "../model/index.js";
import { SecretBox } from "../secret-box.js";
import { enrolTotp, verifyTotp } from "./totp.js";

const STEP_MS = 30_000;
/** Mid-step, so ±1 step stays well inside its own step. */
const START = Date.parse("2026-01-01T00:00:00Z") + 12_000;

function clientRecord(overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    id: newClientId(),
    tenantId: "default" as TenantId,
    name: "deploy-bot",
    grantTypes: ["client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
    tokenEndpointAuthMethod: "client_secret_basic",
    secretHash: "hash" as TokenHash,
    secretPrefix: "tsr_cs_abcde",
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    totpSeedSealed: null,
    publicKeys: [],
    scopes: [],
    audiences: [],
    maxTokenTtlDays: 90,
    status: "active",
    firstParty: false,
    createdAt: START,
    updatedAt: START,
    ...overrides,
  };
}

// One-time claims live in the store: a real SQLite file.
const dir = mkdtempSync(join(tmpdir(), "tessera-totp-"));
let store: SqlStore | undefined;
beforeAll(async () => {
  store = await openSqliteStore(join(dir, "tessera.db"));
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function claims() {
  if (store === undefined) {
    throw new Error("The store did not open");
  }
  return store.oneTimeClaims;
}

/** A client enrolled in TOTP, with a clock shared by the caller and the claim store. */
function setup(name = "deploy-bot") {
  let now = START;
  const secretBox = new SecretBox(randomBytes(32));
  const unenrolled = clientRecord({ name });
  const enrolment = enrolTotp(secretBox, unenrolled);
  const client = { ...unenrolled, totpSeedSealed: enrolment.sealed };
  const seed = new URL(enrolment.uri).searchParams.get("secret") ?? "";
  return {
    client,
    enrolment,
    seed,
    /** A code from otplib, independent of the implementation, for `at` (ms). */
    codeAt: (at: number) => generate({ secret: seed, epoch: Math.floor(at / 1000) }),
    verify: (code: string, subject: ClientRecord = client) =>
      verifyTotp({ secretBox, claims: claims() }, subject, code, now),
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

/**
 * An enrolment and a code (by `codeFor`, at `shift(now)`) that matches none
 * of the enrolment's codes inside the window. A few seeds in a million have such
 * a collision; a fresh seed avoids it, so the test never passes by luck.
 */
async function setupWithCodeOutsideWindow(
  shift: (at: number) => number,
  codeFor?: (at: number) => Promise<string>,
) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const t = setup();
    const code = await (codeFor ?? t.codeAt)(shift(t.now()));
    const inWindow = await Promise.all([-1, 0, 1].map((s) => t.codeAt(t.now() + s * STEP_MS)));
    if (!inWindow.includes(code)) {
      return { t, code };
    }
  }
  throw new Error("Every enrolment's codes collided: the seeds are not random");
}

describe("enrolTotp", () => {
  it("gives an otpauth URI for Tessera and the client, RFC 6238 defaults", () => {
    const { enrolment, seed } = setup("deploy-bot");
    const uri = new URL(enrolment.uri);

    expect(uri.protocol).toBe("otpauth:");
    expect(enrolment.uri.startsWith("otpauth://totp/Tessera:deploy-bot?")).toBe(true);
    expect(seed).toMatch(/^[A-Z2-7]{32}$/);
    expect(uri.searchParams.get("issuer")).toBe("Tessera");
    expect(uri.searchParams.get("algorithm") ?? "SHA1").toBe("SHA1");
    expect(uri.searchParams.get("digits") ?? "6").toBe("6");
    expect(uri.searchParams.get("period") ?? "30").toBe("30");
  });

  it("seals the seed: the base32 seed is nowhere in the sealed value", () => {
    const { enrolment, seed } = setup();

    expect(seed.length).toBeGreaterThan(0);
    expect(enrolment.sealed.toUpperCase()).not.toContain(seed);
    expect(enrolment.sealed).not.toContain(seed.toLowerCase());
  });

  it("gives every enrolment its own seed", () => {
    expect(setup().seed).not.toBe(setup().seed);
  });
});

describe("verifyTotp", () => {
  it("accepts the current code from an independent authenticator (otplib)", async () => {
    const t = setup();

    expect(await t.verify(await t.codeAt(t.now()))).toBe(true);
  });

  it.each([
    ["one step behind", -1],
    ["one step ahead", 1],
  ])("accepts a code %s", async (_, steps) => {
    const t = setup();

    expect(await t.verify(await t.codeAt(t.now() + steps * STEP_MS))).toBe(true);
  });

  it.each([
    ["two steps behind", -2],
    ["two steps ahead", 2],
  ])("refuses a code %s", async (_, steps) => {
    const { t, code } = await setupWithCodeOutsideWindow((at) => at + steps * STEP_MS);

    expect(await t.verify(code)).toBe(false);
  });

  it("accepts each code once", async () => {
    const t = setup();
    const code = await t.codeAt(t.now());

    expect(await t.verify(code)).toBe(true);
    expect(await t.verify(code)).toBe(false);
    // Still inside the window a step later, and still spent.
    t.advance(STEP_MS);
    expect(await t.verify(code)).toBe(false);
  });

  it("accepts the codes of neighbouring steps once each", async () => {
    const t = setup();
    const codes = await Promise.all([-1, 0, 1].map((s) => t.codeAt(t.now() + s * STEP_MS)));

    for (const code of codes) {
      expect(await t.verify(code)).toBe(true);
    }
    for (const code of codes) {
      expect(await t.verify(code)).toBe(false);
    }
  });

  it("accepts the next step's code when time moves on", async () => {
    const t = setup();
    expect(await t.verify(await t.codeAt(t.now()))).toBe(true);

    t.advance(2 * STEP_MS);

    expect(await t.verify(await t.codeAt(t.now()))).toBe(true);
  });

  it("refuses malformed codes, and they do not spend the real one", async () => {
    const t = setup();
    const code = await t.codeAt(t.now());
    const arabicIndic = [...code].map((d) => String.fromCharCode(0x0660 + Number(d))).join("");

    for (const malformed of [
      code.slice(0, 5),
      `${code}0`,
      `${code.slice(0, 5)}a`,
      "abcdef",
      "",
      ` ${code}`,
      `${code}\n`,
      arabicIndic,
    ]) {
      expect(await t.verify(malformed), JSON.stringify(malformed)).toBe(false);
    }
    expect(await t.verify(code)).toBe(true);
  });

  it("refuses every code for a client without a seed", async () => {
    const t = setup();
    const code = await t.codeAt(t.now());

    expect(await t.verify(code, { ...t.client, totpSeedSealed: null })).toBe(false);
    expect(await t.verify(code)).toBe(true);
  });

  it("refuses a code for another client's seed", async () => {
    const other = setup();
    const { t, code } = await setupWithCodeOutsideWindow((at) => at, other.codeAt);

    expect(await t.verify(code)).toBe(false);
  });
});
