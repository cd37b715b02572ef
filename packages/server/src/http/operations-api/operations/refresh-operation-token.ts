import { decodeJwt } from "jose";
import { isTesseraError, TesseraError } from "../../../core/errors.js";
import { refreshOperationToken as refresh } from "../../../core/operation-tokens/refresh.js";
import { authenticateCaller } from "../authorization.js";
import { OperationsApiError } from "../errors.js";
import { type OperationRequest, selfAuthenticatingOperation } from "../operation.js";
import { Joi, token } from "../validation.js";

interface Body {
  readonly refresh_token?: string;
}

const schema = Joi.object<Body>({ refresh_token: token() });

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
 *
 * As in HarperDB, the caller is authenticated before the body is looked
 * at: a Bearer credential is the refresh token unless the body names one
 * and the Bearer is not a refresh token (then it is the caller's operation
 * token); a refresh token in Bearer wins over one in the body. So a Bearer
 * that is neither is 401 `invalid token`, and a broken `Basic` is 401
 * `Login failed`, whatever the body holds.
 */
export const refreshOperationToken = selfAuthenticatingOperation(
  "refresh_operation_token",
  schema,
  async (request: OperationRequest<Body>) => {
    const { ctx, tenant, body, credentials, ip } = request;
    const bearer = credentials?.scheme === "Bearer" ? credentials.token : undefined;
    let work: Promise<{ readonly operationToken: string }>;
    if (bearer !== undefined && (body.refresh_token === undefined || claimsRefresh(bearer))) {
      work = refresh(ctx, { tenant, refreshToken: bearer, ip });
    } else {
      const caller = await authenticateCaller(ctx, request);
      if (body.refresh_token === undefined) {
        throw new TesseraError("invalid_request", "'refresh_token' is required");
      }
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
