import { describe, expect, it } from "vitest";
import { type Seeds, suffix, T0 } from "./fixtures.js";

/** Store conformance: one-time claims (TOTP steps, assertion ids). */
export function describeOneTimeClaimConformance({ db }: Seeds): void {
  describe("one-time claims", () => {
    it("grants a key once, refuses it while the claim lasts, and grants it again after", async () => {
      const key = `claim-${suffix()}`;

      expect(await db().oneTimeClaims.claim(key, T0 + 90_000, T0)).toBe(true);
      expect(await db().oneTimeClaims.claim(key, T0 + 120_000, T0 + 30_000)).toBe(false);
      expect(await db().oneTimeClaims.claim(key, T0 + 180_000, T0 + 89_999)).toBe(false);
      expect(await db().oneTimeClaims.claim(key, T0 + 180_000, T0 + 90_000)).toBe(true);
      expect(await db().oneTimeClaims.claim(key, T0 + 200_000, T0 + 100_000)).toBe(false);
    });

    it("keeps keys apart", async () => {
      const s = suffix();

      expect(await db().oneTimeClaims.claim(`totp:a:${s}`, T0 + 90_000, T0)).toBe(true);
      expect(await db().oneTimeClaims.claim(`totp:b:${s}`, T0 + 90_000, T0)).toBe(true);
    });

    it("lets exactly one of twenty concurrent claims of one key win", async () => {
      const key = `race-${suffix()}`;

      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => db().oneTimeClaims.claim(key, T0 + 90_000, T0)),
      );

      expect(outcomes.filter(Boolean)).toHaveLength(1);
    });

    it("tells whether a key is held, without claiming it", async () => {
      const key = `held-${suffix()}`;

      expect(await db().oneTimeClaims.isClaimed(key, T0)).toBe(false);
      // Asking claimed nothing: the first claim still wins.
      expect(await db().oneTimeClaims.claim(key, T0 + 90_000, T0)).toBe(true);
      expect(await db().oneTimeClaims.isClaimed(key, T0)).toBe(true);
      expect(await db().oneTimeClaims.isClaimed(key, T0 + 89_999)).toBe(true);
      expect(await db().oneTimeClaims.isClaimed(key, T0 + 90_000)).toBe(false);
      expect(await db().oneTimeClaims.isClaimed(`${key}-other`, T0)).toBe(false);
    });

    it("purges expired claims only", async () => {
      const far = T0 + 1_000 * 86_400_000;
      const expired = `old-${suffix()}`;
      const live = `live-${suffix()}`;
      await db().oneTimeClaims.claim(expired, far, T0);
      await db().oneTimeClaims.claim(live, far + 10_000, T0);

      expect(await db().oneTimeClaims.purgeExpired(far + 1)).toBeGreaterThanOrEqual(1);

      // The purged key is free again; the live one is still held.
      expect(await db().oneTimeClaims.claim(expired, far + 20_000, T0)).toBe(true);
      expect(await db().oneTimeClaims.claim(live, far + 20_000, T0)).toBe(false);
    });
  });
}
