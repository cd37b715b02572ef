import { describe, expect, it } from "vitest";
import { ERROR_CODES, type ErrorCode, TesseraError } from "../core/errors.js";
import { classifyError } from "./errors.js";
import { OAUTH_ERRORS, renderOAuthError } from "./oauth/errors.js";
import { OPERATIONS_API_ERRORS, renderOperationsApiError } from "./operations-api/errors.js";
import { PROBLEM_KINDS, renderProblem } from "./problems.js";
import { renderSessionApiError, SESSION_API_STATUS } from "./session-api/errors.js";

/*
 * The core says every failure in neutral words; each dialect words every
 * code in its own shape (DESIGN.md, Errors). These render one core error of
 * each code through each dialect, as its error handler does.
 */

const NEUTRAL = "Neutral words from the core";
const REQUEST_ID = "00000000-0000-4000-8000-000000000000";
const TOKEN_CODES: readonly ErrorCode[] = ["invalid_token", "token_expired", "token_revoked"];

function wireOf(code: ErrorCode, statusOf: Readonly<Record<ErrorCode, number>>) {
  return classifyError(new TesseraError(code, NEUTRAL), statusOf);
}

describe("every core code, in every dialect's words", () => {
  it("the session API: {status: 'error', message} with the core's words and an error status", () => {
    for (const code of ERROR_CODES) {
      const answer = renderSessionApiError(wireOf(code, SESSION_API_STATUS), REQUEST_ID);
      expect(answer.status, code).toBeGreaterThanOrEqual(400);
      expect(answer.body, code).toEqual({ status: "error", message: NEUTRAL });
    }
  });

  it("the operations API: {error}, in HarperDB's fixed words for token failures whatever the core said", () => {
    const statusOf = Object.fromEntries(
      ERROR_CODES.map((code) => [code, OPERATIONS_API_ERRORS[code].status]),
    ) as Record<ErrorCode, number>;
    const words = Object.fromEntries(
      ERROR_CODES.map((code) => [
        code,
        (renderOperationsApiError(wireOf(code, statusOf), REQUEST_ID).body as { error: string })
          .error,
      ]),
    );
    expect(words).toMatchObject({
      invalid_token: "invalid token",
      token_expired: "token expired",
      // HarperDB has no revocation: its clients log in again on `invalid token`.
      token_revoked: "invalid token",
    });
    for (const code of ERROR_CODES.filter((c) => !TOKEN_CODES.includes(c))) {
      expect(words[code], code).toBe(NEUTRAL);
    }
  });

  it("the token API: an RFC 9457 problem of its own title and stable code, the core's words as detail", () => {
    for (const code of ERROR_CODES) {
      const kind = PROBLEM_KINDS[code];
      const answer = renderProblem(wireOf(code, SESSION_API_STATUS), REQUEST_ID);
      expect(answer.contentType, code).toBe("application/problem+json");
      expect(answer.body, code).toEqual({
        type: `urn:tessera:problem:${kind.code}`,
        title: kind.title,
        status: kind.status,
        detail: NEUTRAL,
        code: kind.code,
        instance: `urn:uuid:${REQUEST_ID}`,
      });
    }
  });

  it("OAuth: an RFC 6749 §5.2 {error, error_description}, its own code and status, the core's words", () => {
    const statusOf = Object.fromEntries(
      ERROR_CODES.map((code) => [code, OAUTH_ERRORS[code].status]),
    ) as Record<ErrorCode, number>;
    for (const code of ERROR_CODES) {
      const answer = renderOAuthError(wireOf(code, statusOf), REQUEST_ID);
      expect(answer.status, code).toBe(OAUTH_ERRORS[code].status);
      expect(answer.body, code).toEqual({
        error: OAUTH_ERRORS[code].error,
        error_description: NEUTRAL,
      });
    }
  });
});
