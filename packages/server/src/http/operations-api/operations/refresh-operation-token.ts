import { decodeJwt } from "jose";
import { isTesseraError, TesseraError } from "../../../core/errors.js";
import { refreshOperationToken as refresh } from "../../../core/operation-tokens/refresh.js";
import { authenticateCaller } from "../authorization.js";
import { OperationsApiError } from "../errors.js";
import { type OperationRequest, selfAuthenticatingOperation } from "../operation.js";
import { Joi } from "../validation.js";

interface Body {
  readonly refresh_token?: string;
}

const schema = Joi.object<Body>({ refresh_token: Joi.string() });

/** True when `token` claims to be a refresh token; the refresh path then verifies it fully. */
function claimsRefresh(token: string): boolean {
  try {
    return decodeJwt(token).sub === "refresh";
  } catch {
    return false;
  }
}

/**
 * `refresh_operation_token` (spec 002): a new operation token, from the
 * refresh token sent as the Bearer credential, or sent as `refresh_token`
 * by a caller authenticated otherwise (whose own it must be). An expired
 * refresh token is a 403, as HarperDB answers on this path.
 */
export const refreshOperationToken = selfAuthenticatingOperation(
  "refresh_operation_token",
  schema,
  async (request: OperationRequest<Body>) => {
    const { ctx, tenant, body, credentials, ip } = request;
    const bearer = credentials?.scheme === "Bearer" ? credentials.token : undefined;
    let work: Promise<{ readonly operationToken: string }>;
    if (bearer !== undefined && claimsRefresh(bearer)) {
      if (body.refresh_token !== undefined && body.refresh_token !== bearer) {
        throw new TesseraError(
          "invalid_request",
          "'refresh_token' differs from the refresh token in the Authorization header",
        );
      }
      work = refresh(ctx, { tenant, refreshToken: bearer, ip });
    } else {
      if (body.refresh_token === undefined) {
        throw new TesseraError("invalid_request", "'refresh_token' is required");
      }
      const caller = await authenticateCaller(ctx, request);
      work = refresh(ctx, {
        tenant,
        refreshToken: body.refresh_token,
        ip,
        callerUserId: caller.user.id,
      });
    }
    try {
      const { operationToken } = await work;
      return { operation_token: operationToken };
    } catch (error) {
      if (isTesseraError(error) && error.code === "token_expired") {
        throw new OperationsApiError(403, { error: "token expired" });
      }
      throw error;
    }
  },
);
