import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../test/support/harness.js";
import { type EveryKind, issueEveryKind, withParts } from "../../../test/support/registry.js";
import { generateOpaqueToken } from "../opaque-token.js";
import { identifyToken, MAX_TOKEN_LENGTH } from "./identify.js";
import { TOKEN_KINDS, type TokenKind } from "./types.js";

let h: Harness;
let every: EveryKind;

beforeAll(async () => {
  h = await startHarness();
  every = await issueEveryKind(h.runtime.ctx, TENANT);
});
afterAll(async () => {
  await h?.close();
});

describe("identifyToken: every kind Tessera issues", () => {
  it.each(TOKEN_KINDS.map((kind) => [kind]))("tells a real %s", (kind: TokenKind) => {
    expect(identifyToken(every.tokens[kind])).toBe(kind);
  });

  it("tells client secrets and API keys, which are not bearer tokens", () => {
    expect(identifyToken(every.clientSecret)).toBe("client_secret");
    expect(identifyToken(every.apiKey)).toBe("api_key");
  });

  it("tells a session access token from a client access token by sid and token_use alone", () => {
    const access = every.tokens.access_token;
    expect(identifyToken(withParts(access, { claims: { token_use: undefined } }))).toBe("unknown");
    const client = every.tokens.client_access_token;
    expect(identifyToken(withParts(client, { claims: { sid: "s" } }))).toBe("unknown");
    expect(identifyToken(withParts(client, { claims: { token_use: "access" } }))).toBe("unknown");
    expect(identifyToken(withParts(client, { claims: { sub: "another-client" } }))).toBe("unknown");
  });

  it("refuses JWTs whose header is not one Tessera signs", () => {
    for (const kind of ["access_token", "operation_token", "short_term_token"] as const) {
      const token = every.tokens[kind];
      expect(identifyToken(withParts(token, { header: { alg: "none" } }))).toBe("unknown");
      expect(identifyToken(withParts(token, { header: { alg: "HS256" } }))).toBe("unknown");
      expect(identifyToken(withParts(token, { header: { kid: undefined } }))).toBe("unknown");
      expect(identifyToken(withParts(token, { header: { typ: "jwt+other" } }))).toBe("unknown");
      expect(identifyToken(withParts(token, { claims: { iss: undefined } }))).toBe("unknown");
    }
    // The operations API signs with RS256 only.
    const operation = every.tokens.operation_token;
    expect(identifyToken(withParts(operation, { header: { alg: "ES256" } }))).toBe("unknown");
    expect(identifyToken(withParts(operation, { claims: { sub: "other" } }))).toBe("unknown");
  });

  it("refuses an opaque token with one character changed: the checksum catches it", () => {
    for (const prefix of ["tsr_rt", "tsr_lt", "tsr_cs", "tsr_ak"] as const) {
      const token = generateOpaqueToken(prefix);
      fc.assert(
        fc.property(
          fc.integer({ min: 7, max: token.length - 1 }),
          fc.constantFrom(..."0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
          (at, char) => {
            fc.pre(token[at] !== char);
            const changed = `${token.slice(0, at)}${char}${token.slice(at + 1)}`;
            expect(identifyToken(changed)).toBe("unknown");
          },
        ),
        { numRuns: 200 },
      );
    }
  });

  it("refuses an opaque prefix Tessera does not issue", () => {
    expect(identifyToken(generateOpaqueToken("tsr_rt").replace("tsr_rt", "tsr_xx"))).toBe(
      "unknown",
    );
  });
});

describe("identifyToken: garbage", () => {
  it("calls any string unknown, and never throws", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        expect(identifyToken(text)).toBe("unknown");
      }),
      { numRuns: 2000 },
    );
  });

  it("calls three dot-separated base64url parts unknown unless they decode to a Tessera token", () => {
    const part = fc.stringMatching(/^[A-Za-z0-9_-]{1,80}$/);
    const json = fc
      .dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 })
      .map((value) => Buffer.from(JSON.stringify(value)).toString("base64url"));
    fc.assert(
      fc.property(fc.oneof(part, json), fc.oneof(part, json), part, (a, b, c) => {
        expect(identifyToken(`${a}.${b}.${c}`)).toBe("unknown");
      }),
      { numRuns: 1000 },
    );
  });

  it("calls arbitrary JSON in a JWT's shape unknown, whatever the typ", () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    fc.assert(
      fc.property(
        fc.record({
          alg: fc.constantFrom("ES256", "RS256", "EdDSA", "none", "HS256"),
          typ: fc.constantFrom("at+jwt", "JWT", "automation+jwt", "x"),
          kid: fc.string(),
        }),
        fc.jsonValue(),
        (header, claims) => {
          // Without an `iss` and the claims of a kind, nothing is a Tessera token.
          expect(identifyToken(`${encode(header)}.${encode(claims)}.c2ln`)).toBe("unknown");
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("does not read a string past the longest token, however it starts", () => {
    const huge = `${every.tokens.access_token}${"A".repeat(MAX_TOKEN_LENGTH)}`;
    const longOpaque = `tsr_rt_${"A".repeat(10 * 1024 * 1024)}`;
    const started = performance.now();
    expect(identifyToken(huge)).toBe("unknown");
    expect(identifyToken(longOpaque)).toBe("unknown");
    expect(identifyToken(".".repeat(10 * 1024 * 1024))).toBe("unknown");
    expect(performance.now() - started).toBeLessThan(50);
  });

  it("calls the empty string and near misses unknown", () => {
    for (const text of ["", ".", "..", "a.b.c", "tsr_", "tsr_rt_", "Bearer x", "e30.e30.e30"]) {
      expect(identifyToken(text)).toBe("unknown");
    }
  });
});
