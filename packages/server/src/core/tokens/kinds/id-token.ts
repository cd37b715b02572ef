import type { TokenKindModule } from "./kind.js";
import { sessionJwtModule } from "./session-jwt.js";

/**
 * The session API's ID token: a JWT (`typ: JWT`) with `token_use: "id"`
 * and the `sid` of its session, which it lives and dies by. Revoking it
 * ends that session.
 */
export const idTokenKind: TokenKindModule<"id_token"> = sessionJwtModule("id_token");
