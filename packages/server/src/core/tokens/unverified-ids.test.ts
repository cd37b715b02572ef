/**
 * The ids a JWT names before its signature is checked (a short-term token's
 * `jti`, a client access token's `client_id`) are looked up in the store to
 * find whose keys verify it. A forger chooses them, so anything that is not
 * exactly an id Tessera could have issued is `unknown` before any lookup:
 * text PostgreSQL cannot hold (a NUL) must not make the registry throw.
 * Runs on SQLite, and on PostgreSQL with TESSERA_TEST_STORE=postgres.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import { type EveryKind, issueEveryKind, withParts } from "../../../test/support/registry.js";
import { identifyToken } from "./identify.js";
import { introspectToken, revokeToken, verifyToken } from "./registry.js";
import { TOKEN_KINDS } from "./types.js";

let h: Harness;
let every: EveryKind;

beforeAll(async () => {
  h = await startHarness();
  every = await issueEveryKind(h.runtime.ctx, TENANT);
});
afterAll(async () => {
  await h?.close();
});

const B64URL_22 = "AbCdEfGhIjKlMnOpQrSt_-";

/** A forgery: a real token of `kind` with `claims` changed. */
type Forgery = readonly [
  label: string,
  kind: "short_term_token" | "client_access_token",
  claims: Record<string, unknown>,
];

/** Short-term tokens whose `jti` is not `st_` and 22 base64url characters. */
const SHORT_TERM: Forgery[] = [
  "st_\u0000a",
  `st_${B64URL_22.slice(0, 21)}\u0000`,
  `st_${B64URL_22}x`,
  "st_a",
  "st_",
].map((jti) => [`jti ${JSON.stringify(jti)}`, "short_term_token", { jti }]);

/** Client access tokens whose `client_id` (and `sub`) no client could have. */
const CLIENT_ACCESS: Forgery[] = ["a\u0000b", "\u0000", "", "x".repeat(129), "a b", "a/b", "é"].map(
  (id) => [
    `client_id ${JSON.stringify(id.length > 20 ? `${id.slice(0, 8)}… (${id.length})` : id)}`,
    "client_access_token",
    { client_id: id, sub: id },
  ],
);

describe("a JWT naming an id Tessera could not have issued", () => {
  it.each([...SHORT_TERM, ...CLIENT_ACCESS])(
    "is unknown (%s), and the registry refuses it as a value on every path",
    async (_label, kind, claims) => {
      const ctx = h.runtime.ctx;
      const token = withParts(every.tokens[kind], { claims });
      expect(await verifyToken(ctx, token, { kinds: TOKEN_KINDS, tenantId: TENANT })).toEqual({
        valid: false,
        reason: "malformed",
        detail: "not a Tessera token",
      });
      expect(await introspectToken(ctx, token, { tenantId: TENANT })).toEqual({ active: false });
      const revoked = await revokeToken(ctx, token, {
        tenantId: TENANT,
        admin: true,
        reason: "x",
      });
      expect(revoked.matched).toBe(false);
      expect(identifyToken(token)).toBe("unknown");
    },
  );

  it("is unknown for any jti but st_ and 22 base64url characters, any client_id outside the id alphabet", () => {
    const notTokenId = fc
      .string({ unit: "binary", maxLength: 40 })
      .filter((jti) => !/^st_[A-Za-z0-9_-]{22}$/.test(jti));
    const notClientId = fc
      .string({ unit: "binary", maxLength: 140 })
      .filter((id) => !/^[A-Za-z0-9._-]{1,128}$/.test(id));
    fc.assert(
      fc.property(notTokenId, notClientId, (jti, id) => {
        expect(identifyToken(withParts(every.tokens.short_term_token, { claims: { jti } }))).toBe(
          "unknown",
        );
        const client = withParts(every.tokens.client_access_token, {
          claims: { client_id: id, sub: id },
        });
        expect(identifyToken(client)).toBe("unknown");
      }),
      { numRuns: 300 },
    );
  });

  it("still tells a forged token of a well-formed id by its kind, and refuses it by its signature", async () => {
    const ctx = h.runtime.ctx;
    const short = withParts(every.tokens.short_term_token, { claims: { jti: `st_${B64URL_22}` } });
    const client = withParts(every.tokens.client_access_token, {
      claims: { client_id: "ci-bot.v2_x", sub: "ci-bot.v2_x" },
    });
    expect(identifyToken(short)).toBe("short_term_token");
    expect(identifyToken(client)).toBe("client_access_token");
    for (const token of [short, client]) {
      expect(await verifyToken(ctx, token, { kinds: TOKEN_KINDS })).toMatchObject({
        valid: false,
      });
      expect(await introspectToken(ctx, token, { tenantId: TENANT })).toEqual({ active: false });
    }
  });
});
