import { isTesseraError, TesseraError } from "../../../core/errors.js";
import type { OperationsCaller } from "../../../core/operation-tokens/caller.js";
import { refreshOperationToken as refresh } from "../../../core/operation-tokens/refresh.js";
import { identifyToken } from "../../../core/tokens/identify.js";
import { requireToken } from "../../../core/tokens/registry.js";
import type { VerifiedSessionToken } from "../../../core/tokens/types.js";
import { authenticateCaller } from "../authorization.js";
import { OperationsApiError } from "../errors.js";
import { answer, authenticatedOperation, type OperationRequest } from "../operation.js";
import { Joi, token } from "../validation.js";

interface Body {
  readonly refresh_token?: string;
}

const schema = Joi.object<Body>({
  refresh_token: token().description(
    "The refresh token, when the caller authenticates otherwise; else it is the Bearer credential",
  ),
}).description("A new operation token from a refresh token (spec 002).");

const response = answer({
  type: "object",
  properties: { operation_token: { type: "string", description: "An RS256 JWT" } },
  required: ["operation_token"],
  additionalProperties: false,
});

/** True when `token` claims to be a refresh token; the refresh path then verifies it fully. */
function claimsRefresh(token: string): boolean {
  return identifyToken(token) === "operation_refresh_token";
}

type VerifiedRefreshToken = VerifiedSessionToken;

/** The refresh token in `token`, verified by the registry for the served tenant. */
function verifyRefreshToken(
  request: OperationRequest<unknown>,
  token: string,
): Promise<VerifiedRefreshToken> {
  return requireToken(request.ctx, token, {
    kinds: ["operation_refresh_token"],
    tenantId: request.tenant.id,
  });
}

/** True when the (unvalidated) body has a `refresh_token`, whatever it holds. */
function namesRefreshToken(body: unknown): boolean {
  return (
    typeof body === "object" &&
    body !== null &&
    "refresh_token" in body &&
    body.refresh_token !== undefined
  );
}

/** A verified refresh token, with an expired one as HarperDB answers it on this path: 403. */
async function verified(work: Promise<VerifiedRefreshToken>): Promise<VerifiedRefreshToken> {
  try {
    return await work;
  } catch (error) {
    if (isTesseraError(error) && error.code === "token_expired") {
      throw new OperationsApiError(403, { error: "token expired" });
    }
    throw error;
  }
}

/** How the caller proved itself: by the refresh token in Bearer, or otherwise. */
type Authenticated =
  | { readonly refreshToken: VerifiedRefreshToken }
  | { readonly caller: OperationsCaller };

/**
 * As in HarperDB, the caller is authenticated before the body is read: a
 * Bearer credential is the refresh token unless the body names one and the
 * Bearer is not a refresh token (then it is the caller's operation token).
 * So a Bearer that is neither is 401 `invalid token`, and a broken `Basic`
 * is 401 `Login failed`, whatever the body holds.
 */
async function authenticate(request: OperationRequest<unknown>): Promise<Authenticated> {
  const { ctx, credentials } = request;
  const bearer = credentials?.scheme === "Bearer" ? credentials.token : undefined;
  if (bearer !== undefined && (!namesRefreshToken(request.body) || claimsRefresh(bearer))) {
    return { refreshToken: await verified(verifyRefreshToken(request, bearer)) };
  }
  return { caller: await authenticateCaller(ctx, request) };
}

/**
 * `refresh_operation_token` (spec 002): a new operation token, from the
 * refresh token sent as the Bearer credential, or sent as `refresh_token`
 * by a caller authenticated otherwise (whose own it must be). A refresh
 * token in Bearer wins over one in the body. An expired refresh token is a
 * 403, as HarperDB answers on this path.
 */
export const refreshOperationToken = authenticatedOperation(
  "refresh_operation_token",
  authenticate,
  schema,
  response,
  async (request: OperationRequest<Body> & { readonly authenticated: Authenticated }) => {
    const { ctx, tenant, body, ip, authenticated } = request;
    if ("refreshToken" in authenticated) {
      const { refreshToken } = authenticated;
      const { operationToken } = await refresh(ctx, { tenant, refreshToken, ip });
      return { operation_token: operationToken };
    }
    if (body.refresh_token === undefined) {
      throw new TesseraError("invalid_request", "'refresh_token' is required");
    }
    const refreshToken = await verified(verifyRefreshToken(request, body.refresh_token));
    const { operationToken } = await refresh(ctx, {
      tenant,
      refreshToken,
      callerUserId: authenticated.caller.user.id,
      ip,
    });
    return { operation_token: operationToken };
  },
);
