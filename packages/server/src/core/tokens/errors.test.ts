import { describe, expect, it } from "vitest";
import { tokenError } from "./errors.js";
import type { TokenFailureReason } from "./types.js";

describe("tokenError", () => {
  it.each<[TokenFailureReason, string, string]>([
    ["expired", "token_expired", "Token has expired"],
    ["revoked", "token_revoked", "Token has been revoked"],
    ["rotated", "token_revoked", "Token has been revoked"],
    ["client_disabled", "token_revoked", "The client is disabled"],
    ["malformed", "invalid_token", "Invalid token"],
    ["unknown", "invalid_token", "Invalid token"],
    ["wrong_tenant", "invalid_token", "Invalid token"],
    ["wrong_kind", "invalid_token", "Invalid token"],
    ["wrong_audience", "invalid_token", "Invalid token"],
    ["mismatched", "invalid_token", "Invalid token"],
  ])("words %s as %s in neutral words", (reason, code, message) => {
    const error = tokenError({ valid: false, reason, detail: "internal" });
    expect({ code: error.code, message: error.message, detail: error.detail }).toEqual({
      code,
      message,
      detail: "internal",
    });
  });

  it("tells a forged token, another tenant's and another kind's apart only in the log detail", () => {
    const answers = (["malformed", "wrong_tenant", "wrong_kind"] as const).map((reason) => {
      const { code, message } = tokenError({ valid: false, reason });
      return { code, message };
    });
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
  });
});
