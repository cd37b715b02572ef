import { describe, expect, it } from "vitest";
import { MAX_SIGNING_KEY_ROTATION_DAYS, TENANT_DEFAULTS, validateTenantPatch } from "./tenants.js";

describe("validateTenantPatch: signingKeyRotationDays", () => {
  it("rotates only by hand unless a tenant says otherwise", () => {
    expect(TENANT_DEFAULTS.signingKeyRotationDays).toBe(0);
  });

  it("takes 0 (by hand only) and whole days from 1 to 3650", () => {
    for (const days of [0, 1, 90, MAX_SIGNING_KEY_ROTATION_DAYS]) {
      expect(() => validateTenantPatch({ signingKeyRotationDays: days })).not.toThrow();
    }
  });

  it("refuses negative, fractional and too long periods, naming the field as the caller does", () => {
    for (const days of [-1, 1.5, MAX_SIGNING_KEY_ROTATION_DAYS + 1, Number.NaN]) {
      expect(() => validateTenantPatch({ signingKeyRotationDays: days })).toThrow(
        expect.objectContaining({
          code: "invalid_request",
          message:
            "signingKeyRotationDays must be 0 (rotate only by hand) or a whole number of days from 1 to 3650",
        }),
      );
    }
    expect(() =>
      validateTenantPatch({ signingKeyRotationDays: 4000 }, (field) =>
        field === "signingKeyRotationDays" ? "--key-rotation-days" : field,
      ),
    ).toThrow(/^--key-rotation-days must be 0 /);
  });
});
