export {
  AccessTokenError,
  type AccessTokenErrorCode,
  type AccessTokenErrorOptions,
} from "./access-token-error.js";
export {
  type AuthenticatedRequest,
  type BearerAuthOptions,
  type BearerDenial,
  type BearerToken,
  bearerDenial,
  type RequestHeaders,
  readBearerToken,
} from "./bearer.js";
export type { AccessTokenClaims, ActorClaim } from "./claims.js";
export {
  bearerAuthMiddleware,
  type ConnectMiddleware,
  type ConnectRequest,
  type ConnectResponse,
} from "./express-middleware.js";
export {
  bearerAuthHook,
  type FastifyAuthHook,
  type FastifyLikeReply,
  type FastifyLikeRequest,
} from "./fastify-hook.js";
export type {
  AccessTokenKind,
  AccessTokenType,
  AccessTokenVerifierOptions,
  FetchLike,
  ResolvedVerifierOptions,
  TesseraSigningAlgorithm,
  VerifierClock,
} from "./options.js";
export {
  type AccessTokenVerifier,
  createAccessTokenVerifier,
  type VerifiedAccessToken,
  type VerifyCallOptions,
  verifyAccessToken,
} from "./verify-access-token.js";
