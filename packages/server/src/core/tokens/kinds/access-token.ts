import type { TokenKindModule } from "./kind.js";
import { sessionJwtModule } from "./session-jwt.js";

/**
 * The session API's access token: an RFC 9068 JWT (`typ: at+jwt`) with
 * `token_use: "access"` and the `sid` of its session, which it lives and
 * dies by. Revoking it ends that session.
 */
export const accessTokenKind: TokenKindModule<"access_token"> = sessionJwtModule("access_token");
