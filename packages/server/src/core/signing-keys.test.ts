import { describe, expect, it } from "vitest";
import { signingKeyRotatesAt } from "./signing-keys.js";

const DAY_MS = 86_400_000;

describe("signingKeyRotatesAt", () => {
  const activatedAt = Date.parse("2026-03-01T00:00:00Z");

  it("is the active key's activation plus the tenant's period", () => {
    expect(
      signingKeyRotatesAt({ signingKeyRotationDays: 30 }, { status: "active", activatedAt }),
    ).toBe(activatedAt + 30 * DAY_MS);
  });

  it("is null by hand only, and for keys that are not active", () => {
    expect(
      signingKeyRotatesAt({ signingKeyRotationDays: 0 }, { status: "active", activatedAt }),
    ).toBeNull();
    expect(
      signingKeyRotatesAt({ signingKeyRotationDays: 30 }, { status: "next", activatedAt: null }),
    ).toBeNull();
    expect(
      signingKeyRotatesAt({ signingKeyRotationDays: 30 }, { status: "retired", activatedAt }),
    ).toBeNull();
  });
});
