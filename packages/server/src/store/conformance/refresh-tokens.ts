import { describe, expect, it } from "vitest";
import { generateOpaqueToken, hashSecret } from "../../core/opaque-token.js";
import { HOUR, refreshTokenRecord, type Seeds, T0 } from "./fixtures.js";

/** Store conformance: refresh tokens. */
export function describeRefreshTokenConformance({
  db,
  seedTenant,
  seedUser,
  seedSession,
}: Seeds): void {
  describe("refresh tokens", () => {
    async function seedToken() {
      const tenantId = await seedTenant({ refreshPolicy: "rotate" });
      const user = await seedUser(tenantId);
      return seedSession(tenantId, user.id);
    }

    it("returns undefined for an unknown hash", async () => {
      expect(
        await db().refreshTokens.getByHash(hashSecret(generateOpaqueToken("tsr_rt"))),
      ).toBeUndefined();
    });

    it("rotates once: the winner's successor is stored and the old row records it", async () => {
      const { session, refreshToken } = await seedToken();
      const successor = refreshTokenRecord(session, { createdAt: T0 + HOUR });

      const result = await db().refreshTokens.rotate({
        oldHash: refreshToken.hash,
        successor,
        successorSealed: "v1.winner",
        at: T0 + HOUR,
      });

      expect(result).toEqual({ rotated: true });
      expect(await db().refreshTokens.getByHash(successor.hash)).toEqual(successor);
      expect(await db().refreshTokens.getByHash(refreshToken.hash)).toEqual({
        ...refreshToken,
        rotatedAt: T0 + HOUR,
        successorSealed: "v1.winner",
      });
    });

    it("tells a later caller it lost, with the winner's row, and stores no second successor", async () => {
      const { session, refreshToken } = await seedToken();
      await db().refreshTokens.rotate({
        oldHash: refreshToken.hash,
        successor: refreshTokenRecord(session),
        successorSealed: "v1.winner",
        at: T0 + HOUR,
      });
      const late = refreshTokenRecord(session);

      const result = await db().refreshTokens.rotate({
        oldHash: refreshToken.hash,
        successor: late,
        successorSealed: "v1.late",
        at: T0 + 2 * HOUR,
      });

      expect(result).toEqual({
        rotated: false,
        current: { ...refreshToken, rotatedAt: T0 + HOUR, successorSealed: "v1.winner" },
      });
      expect(await db().refreshTokens.getByHash(late.hash)).toBeUndefined();
    });

    it("reports an unknown token as not rotated, without a current row", async () => {
      const { session } = await seedToken();
      const successor = refreshTokenRecord(session);

      const result = await db().refreshTokens.rotate({
        oldHash: hashSecret(generateOpaqueToken("tsr_rt")),
        successor,
        successorSealed: "v1.none",
        at: T0,
      });

      expect(result).toEqual({ rotated: false, current: undefined });
      expect(await db().refreshTokens.getByHash(successor.hash)).toBeUndefined();
    });

    it("rotates a successor in turn", async () => {
      const { session, refreshToken } = await seedToken();
      const second = refreshTokenRecord(session);
      const third = refreshTokenRecord(session);

      await db().refreshTokens.rotate({
        oldHash: refreshToken.hash,
        successor: second,
        successorSealed: "v1.second",
        at: T0 + 1,
      });
      const result = await db().refreshTokens.rotate({
        oldHash: second.hash,
        successor: third,
        successorSealed: "v1.third",
        at: T0 + 2,
      });

      expect(result).toEqual({ rotated: true });
      expect(await db().refreshTokens.getByHash(third.hash)).toEqual(third);
    });

    it("lets exactly one of 50 concurrent rotations win; the others see its row", async () => {
      const { session, refreshToken } = await seedToken();
      const attempts = Array.from({ length: 50 }, (_, i) => ({
        successor: refreshTokenRecord(session, { createdAt: T0 + i }),
        successorSealed: `v1.attempt-${i}`,
        at: T0 + HOUR + i,
      }));

      const results = await Promise.all(
        attempts.map((attempt) =>
          db().refreshTokens.rotate({ oldHash: refreshToken.hash, ...attempt }),
        ),
      );

      const winners = results.flatMap((result, i) => (result.rotated ? [i] : []));
      expect(winners).toHaveLength(1);
      const winner = attempts[winners[0] ?? -1];
      const stored = await Promise.all(
        attempts.map((attempt) => db().refreshTokens.getByHash(attempt.successor.hash)),
      );
      expect(stored.filter((row) => row !== undefined)).toEqual([winner?.successor]);
      for (const result of results) {
        if (!result.rotated) {
          expect(result.current?.rotatedAt).toBe(winner?.at);
          expect(result.current?.successorSealed).toBe(winner?.successorSealed);
        }
      }
    });
  });
}
