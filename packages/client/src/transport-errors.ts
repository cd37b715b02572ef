/**
 * Failures that are not an answer from Tessera: the request never got one
 * (a timeout, a refused connection, a reset), got a redirect it does not
 * follow, or was never sent (a required parameter was missing). Their
 * messages name the operation and the server's origin, never a header, a
 * body or a token.
 */

/**
 * An attempt took longer than its `timeoutMs`. Whether the server acted
 * on the request is unknown, so only safe operations are retried after one.
 *
 * @example
 * try {
 *   await api.listTokens(undefined, { timeoutMs: 2_000 });
 * } catch (error) {
 *   if (error instanceof TesseraTimeoutError) console.warn(`gave up after ${error.timeoutMs} ms`);
 * }
 */
export class TesseraTimeoutError extends Error {
  readonly operationId: string;
  readonly timeoutMs: number;

  constructor(operationId: string, timeoutMs: number) {
    super(`${operationId}: no answer within ${timeoutMs} ms`);
    this.name = "TesseraTimeoutError";
    this.operationId = operationId;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The request got no answer: the connection was refused or broke, or the
 * name did not resolve. `cause` is what fetch threw.
 *
 * @example
 * try {
 *   await api.listTokens();
 * } catch (error) {
 *   if (error instanceof TesseraNetworkError) console.warn("Tessera is unreachable", error.cause);
 * }
 */
export class TesseraNetworkError extends Error {
  readonly operationId: string;

  constructor(operationId: string, origin: string, cause: unknown) {
    super(`${operationId}: no answer from ${origin}`, { cause });
    this.name = "TesseraNetworkError";
    this.operationId = operationId;
  }
}

/**
 * The server answered a redirect (3xx), which the SDK never follows: a
 * request carries credentials (`X-API-Key`, `AccessToken`, a password or
 * client secret in its body) that fetch would send on to wherever the
 * redirect points, another origin included. Usually `basePath` is not the
 * server's own URL (`http` where it serves `https`, a proxy's old path).
 * `status` is 0 for the opaque redirect a browser's fetch hands back, which
 * hides its status and target. The message names the redirect's origin at
 * most, never its path, query or credentials.
 *
 * @example
 * try {
 *   await api.listTokens();
 * } catch (error) {
 *   if (error instanceof TesseraRedirectError) console.warn(`basePath redirects (${error.status})`);
 * }
 */
export class TesseraRedirectError extends Error {
  readonly operationId: string;
  /** The answer's status (301, 302, 303, 307, 308, …), or 0 for a browser's opaque redirect. */
  readonly status: number;
  /** The origin the redirect points to, when the answer names one; never more of its URL. */
  readonly locationOrigin: string | undefined;

  constructor(
    operationId: string,
    status: number,
    origin: string,
    locationOrigin: string | undefined,
  ) {
    const target = locationOrigin === undefined ? "" : ` to ${locationOrigin}`;
    super(
      `${operationId}: ${origin} answered a redirect (${status})${target}, which is not followed: set basePath to the server's own URL`,
    );
    this.name = "TesseraRedirectError";
    this.operationId = operationId;
    this.status = status;
    this.locationOrigin = locationOrigin;
  }
}

/**
 * A required parameter was null or undefined, so nothing was sent: the
 * generated client's `RequiredError`, with the same `name`, `field` and
 * message. A path parameter that is empty, `.` or `..` (which would name
 * another path) is refused with it too.
 *
 * @example
 * await api.revokeToken(undefined as unknown as string).catch((error) => {
 *   if (error instanceof RequiredError) console.warn(error.field); // "tokenId"
 * });
 */
export class RequiredError extends Error {
  readonly field: string;

  constructor(field: string, msg?: string) {
    super(msg);
    this.name = "RequiredError";
    this.field = field;
  }
}

/**
 * Throws {@link RequiredError} when `value` is null or undefined, in the
 * generated client's words.
 *
 * @example
 * assertParamExists("revokeToken", "tokenId", tokenId);
 */
export function assertParamExists(functionName: string, paramName: string, value: unknown): void {
  if (value === null || value === undefined) {
    throw new RequiredError(
      paramName,
      `Required parameter ${paramName} was null or undefined when calling ${functionName}.`,
    );
  }
}
