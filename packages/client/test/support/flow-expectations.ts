import { expect } from "vitest";

/**
 * What the flows of every generated client expect of the wire, whatever
 * the client made of it: the same answers, read through different types.
 */

/** A 201 long-term token: the body, and `X-Token-Id` naming it (spec 004). */
export function expectLongTokenAnswer(response: Response, body: unknown): void {
  expect(response.status).toBe(201);
  expect(body).toEqual({
    token_id: expect.stringMatching(/^lt_[\w-]+$/),
    token: expect.stringMatching(/^tsr_lt_\w+$/),
    token_type: "long_term",
    scopes: ["tokens:write"],
    expires_at: expect.any(String),
  });
  expect(response.headers.get("X-Token-Id")).toBe((body as { token_id: string }).token_id);
}

/** A 201 short-term token (spec 004). */
export function expectShortTokenAnswer(response: Response, body: unknown): void {
  expect(response.status).toBe(201);
  expect(body).toEqual({
    access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    token_type: "Bearer",
    expires_in: expect.any(Number),
    token_id: expect.stringMatching(/^st_[\w-]+$/),
    scope: "tokens:write",
  });
}

/** An RFC 9457 problem, as `application/problem+json`. */
export function expectProblemAnswer(response: Response, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
}

/** A 200 session of spec 001 for `username`, the password never echoed. */
export function expectSessionAnswer(response: Response, body: unknown, username: string): void {
  expect(response.status).toBe(200);
  expect(body).toEqual({
    endpointUrl: expect.any(String),
    clientId: expect.any(String),
    userPoolId: "default",
    username,
    password: "",
    session: {
      authorization: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      refreshToken: expect.stringMatching(/^tsr_rt_\w+$/),
      expireEpoch: expect.any(Number),
    },
  });
}

/** The session API's error body for a refused credential. */
export function expectSessionErrorAnswer(response: Response, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
}
