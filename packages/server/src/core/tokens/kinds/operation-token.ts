import type { TokenKindModule } from "./kind.js";
import { operationJwtModule } from "./operation-jwt.js";

/**
 * The operations API's operation token: an RS256 JWT in HarperDB's shape
 * (`sub: "operation"`) plus `sid`, checked against its session. Revoking it
 * ends that session.
 */
export const operationTokenKind: TokenKindModule<"operation_token"> =
  operationJwtModule("operation_token");
