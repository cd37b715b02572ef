import { expect } from "vitest";
import { TesseraApiError, type TesseraErrorCode } from "../../src/index.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Awaits a call that must fail with a Tessera answer, and checks what every
 * typed error carries: its class, `code`, `status`, the request id from
 * `X-Request-Id`, and the answer where the generated axios client's error
 * has it (`response.status`, `.data`, `.headers`). None of `secrets` may
 * appear in its message.
 */
export async function expectApiError<E extends TesseraApiError>(
  call: Promise<unknown>,
  errorClass: abstract new (...args: never[]) => E,
  expected: { readonly code: TesseraErrorCode; readonly status: number; readonly data?: unknown },
  secrets: readonly string[] = [],
): Promise<E> {
  const error: unknown = await call.then(
    (value) => {
      throw new Error(`expected ${errorClass.name}, got ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TesseraApiError);
  expect(error).toBeInstanceOf(errorClass);
  const typed = error as E;
  expect(typed.name).toBe(errorClass.name);
  expect(typed.code).toBe(expected.code);
  expect(typed.status).toBe(expected.status);
  expect(typed.requestId).toMatch(UUID);
  expect(typed.response.status).toBe(expected.status);
  expect(typed.response.headers["x-request-id"]).toBe(typed.requestId);
  if (expected.data !== undefined) {
    expect(typed.response.data).toEqual(expected.data);
  }
  for (const secret of secrets) {
    expect(typed.message).not.toContain(secret);
    expect(JSON.stringify(typed.response.data)).not.toContain(secret);
  }
  return typed;
}

/** The problem document the token API answers with, for a code and status. */
export function problem(code: string, status: number, requestId?: string) {
  return {
    type: `urn:tessera:problem:${code}`,
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
    instance:
      requestId === undefined ? expect.stringMatching(/^urn:uuid:/) : `urn:uuid:${requestId}`,
  };
}
