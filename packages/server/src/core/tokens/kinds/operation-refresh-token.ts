import type { TokenKindModule } from "./kind.js";
import { operationJwtModule } from "./operation-jwt.js";

/**
 * The operations API's refresh token: an RS256 JWT (`sub: "refresh"`) whose
 * `jti` is its session's stored refresh token. Revoking it ends that session.
 */
export const operationRefreshTokenKind: TokenKindModule<"operation_refresh_token"> =
  operationJwtModule("operation_refresh_token");
