import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TENANT } from "../../../../test/support/harness.js";
import { type EveryKind, issueEveryKind } from "../../../../test/support/registry.js";
import { signJwt } from "../../jws.js";
import { type DecodedJwt, identifyToken, inspectToken } from "../identify.js";
import { verifyToken } from "../registry.js";
import { operationRefreshTokenKind } from "./operation-refresh-token.js";
import { operationTokenKind } from "./operation-token.js";

let h: Harness;
let every: EveryKind;

beforeAll(async () => {
  h = await startHarness();
  every = await issueEveryKind(h.runtime.ctx, TENANT);
});
afterAll(async () => {
  await h?.close();
});

const MODULES = [
  ["operation_token", operationTokenKind],
  ["operation_refresh_token", operationRefreshTokenKind],
] as const;

describe("an operations API token's module", () => {
  it.each(MODULES)(
    "judges the %s it verified, not the decoded parts it was handed: a token_use refuses it",
    async (kind, module) => {
      const ctx = h.runtime.ctx;
      const genuine = every.tokens[kind];
      // Signed with the tenant's own RS256 key, as a session API token would carry it.
      const key = await ctx.keyring.signingKey(TENANT, "RS256");
      const withUse = await signJwt(key, "JWT", { ...decodeJwt(genuine), token_use: "access" });
      expect(identifyToken(withUse)).toBe("unknown");
      expect(await verifyToken(ctx, withUse, { kinds: [kind] })).toMatchObject({ valid: false });

      // Handed the decoded parts of another token that has no token_use.
      const inspected = inspectToken(genuine);
      const decoded = "jwt" in inspected ? inspected.jwt : undefined;
      expect(decoded).toBeDefined();
      const lying = { ...decoded, kid: String(decodeProtectedHeader(withUse).kid) } as DecodedJwt;
      expect(await module.verify(ctx, withUse, { kinds: [kind] }, lying)).toMatchObject({
        valid: false,
        reason: "malformed",
      });
      expect(await module.introspect(ctx, withUse, { tenantId: TENANT }, lying)).toEqual({
        active: false,
      });
      // The genuine token, with its own parts, still verifies.
      expect(await module.verify(ctx, genuine, { kinds: [kind] }, decoded)).toMatchObject({
        valid: true,
        kind,
      });
    },
  );
});
