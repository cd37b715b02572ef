import { describe, expect, it } from "vitest";
import { classifyError, type ErrorDialect } from "./error-dialects.js";

const answer = (status: number, data: unknown) => ({ status, data, headers: {} });
const classify = (dialect: ErrorDialect, status: number, data: unknown) =>
  classifyError(dialect, answer(status, data));

describe("classifyError", () => {
  it("reads the token API's problem code, with its invalid_client_key as invalid_api_key", () => {
    expect(
      classify("token-api", 401, {
        code: "invalid_client",
        detail: "Client authentication failed",
      }),
    ).toEqual({
      code: "invalid_client",
      message: "Client authentication failed",
    });
    expect(classify("token-api", 401, { code: "invalid_client_key", title: "Missing" }).code).toBe(
      "invalid_api_key",
    );
  });

  it("reads OAuth's error, telling invalid_request and temporarily_unavailable apart by status", () => {
    expect(classify("oauth", 400, { error: "invalid_grant", error_description: "x" }).code).toBe(
      "invalid_grant",
    );
    expect(classify("oauth", 404, { error: "invalid_request" }).code).toBe("not_found");
    expect(classify("oauth", 400, { error: "invalid_request" }).code).toBe("invalid_request");
    expect(classify("oauth", 429, { error: "temporarily_unavailable" }).code).toBe("rate_limited");
    expect(classify("oauth", 503, { error: "temporarily_unavailable" }).code).toBe("unavailable");
    expect(classify("oauth", 500, { error: "server_error" }).code).toBe("internal_error");
  });

  it("maps the session and operations APIs by status, and their fixed messages", () => {
    expect(classify("session-api", 403, { status: "error", message: "No" }).code).toBe("forbidden");
    expect(
      classify("session-api", 401, { status: "error", message: "Missing or invalid X-API-Key" })
        .code,
    ).toBe("invalid_api_key");
    expect(classify("operations-api", 401, { error: "token expired" }).code).toBe("token_expired");
    expect(classify("operations-api", 403, { error: "token expired" }).code).toBe("token_expired");
    expect(classify("operations-api", 401, { error: "Login failed" }).code).toBe(
      "invalid_credentials",
    );
  });

  it("never takes a code or a message from what is not the dialect's shape", () => {
    expect(classify("session-api", 401, { status: "error", message: "__proto__" }).code).toBe(
      "invalid_credentials",
    );
    expect(classify("token-api", 400, { code: "constructor" }).code).toBe("invalid_request");
    expect(classify("operations-api", 502, "<html>Bad gateway</html>")).toEqual({
      code: "internal_error",
      message: "HTTP 502",
    });
    expect(classify("oauth", 418, undefined)).toEqual({
      code: "invalid_request",
      message: "HTTP 418",
    });
  });
});
