export {
  AccessTokenError,
  type AccessTokenErrorCode,
  type AccessTokenErrorOptions,
} from "./access-token-error.js";
export type { AccessTokenClaims, ActorClaim } from "./claims.js";
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
