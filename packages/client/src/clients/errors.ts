import { TesseraApiError } from "../errors.js";

/**
 * Why a session can no longer be refreshed, as the SDK's codes name it:
 * ended on the server (logout, an operator, a refresh token reused after
 * rotation, its user disabled), past its lifetime, or a refresh token the
 * server does not know (another tenant's, another client's, forged).
 *
 * @example
 * const reason: SessionEndReason = "token_revoked";
 */
export type SessionEndReason = "token_revoked" | "token_expired" | "invalid_token";

/** The session API's `message`, or undefined for a body not in its shape. */
function messageOf(error: TesseraApiError): string | undefined {
  const data: unknown = error.response.data;
  const message =
    typeof data === "object" && data !== null && "message" in data ? data.message : undefined;
  return typeof message === "string" ? message : undefined;
}

/**
 * Why the refresh was refused. The session API's fixed messages are read
 * as codes by the SDK's error mapping (error-dialects.ts); anything else
 * refused is a token the server does not take.
 */
function reasonOf(error: TesseraApiError): SessionEndReason {
  return error.code === "token_revoked" || error.code === "token_expired"
    ? error.code
    : "invalid_token";
}

/**
 * The session a {@link SessionClient} held has ended: its refresh token was
 * refused (revoked, expired or unknown), so no further token can come of it.
 * The client has cleared its tokens and fails every later call with this
 * same error, without a request, until `login` starts a new session. A
 * {@link TesseraApiError} (`status` 401, the answer in `response`, `cause`
 * the error the refresh got), with `code` saying why.
 *
 * @example
 * try {
 *   await session.getAccessToken();
 * } catch (error) {
 *   if (error instanceof SessionEndedError) redirectToLogin();
 *   else throw error;
 * }
 */
export class SessionEndedError extends TesseraApiError {
  declare readonly code: SessionEndReason;

  constructor(refused: TesseraApiError) {
    super({
      code: reasonOf(refused),
      message: messageOf(refused) ?? "The session has ended",
      operationId: refused.operationId,
      response: refused.response,
    });
    this.name = "SessionEndedError";
    this.cause = refused;
  }
}

/**
 * A {@link SessionClient} was asked for a token while it holds no session:
 * before `login`, or after `logout`. Nothing was sent.
 *
 * @example
 * if (error instanceof NoSessionError) await session.login(username, password);
 */
export class NoSessionError extends Error {
  constructor() {
    super("No session: log in first");
    this.name = "NoSessionError";
  }
}

/**
 * An {@link AutomationClient} or {@link ClientCredentialsClient} was used
 * after `close()`, which revoked what it held. Nothing was sent.
 *
 * @example
 * if (error instanceof ClientClosedError) console.warn("token client already closed");
 */
export class ClientClosedError extends Error {
  constructor(client: string) {
    super(`${client} is closed`);
    this.name = "ClientClosedError";
  }
}

/**
 * `rotateBeforeDays` is not shorter than the lifetime of the token a
 * rotation gave: the new token is already that close to its end, so
 * rotating it whenever it is due would rotate again on every call, a chain
 * of new tokens. The client rotates that token no further by itself (it
 * works until it expires) and reports this through `lastRotationError` and
 * `onRotationError`; make `rotateBeforeDays` shorter than the rotated
 * token's lifetime (`rotationTtlDays`, or the server's default, 30 days).
 *
 * @example
 * if (automation.lastRotationError instanceof RotationWindowError) {
 *   log.error("rotateBeforeDays is longer than the rotated token lives");
 * }
 */
export class RotationWindowError extends Error {
  /** The rotated long-term token's id. */
  readonly tokenId: string;
  /** When it expires, in epoch milliseconds. */
  readonly expiresAt: number;
  readonly rotateBeforeDays: number;

  constructor(tokenId: string, expiresAt: number, rotateBeforeDays: number) {
    super(
      `The rotated long-term token ${tokenId} expires at ${new Date(expiresAt).toISOString()}, already within rotateBeforeDays (${rotateBeforeDays}) of its end: it is not rotated again automatically; make rotateBeforeDays shorter than its lifetime`,
    );
    this.name = "RotationWindowError";
    this.tokenId = tokenId;
    this.expiresAt = expiresAt;
    this.rotateBeforeDays = rotateBeforeDays;
  }
}
