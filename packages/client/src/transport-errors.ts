/**
 * Failures that are not an answer from Tessera: the request never got one
 * (a timeout, a refused connection, a reset), or it was never sent (a
 * required parameter was missing). Their messages name the operation and
 * the server's origin, never a header, a body or a token.
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
 * A required parameter was null or undefined, so nothing was sent: the
 * generated client's `RequiredError`, with the same `name`, `field` and
 * message.
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
