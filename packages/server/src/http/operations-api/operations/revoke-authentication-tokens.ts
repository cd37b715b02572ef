import { TesseraError } from "../../../core/errors.js";
import {
  type RevocationTarget,
  revokeOperationSessions,
} from "../../../core/operation-tokens/revoke.js";
import { reworded } from "../errors.js";
import { answer, type CallerRequest, callerOperation } from "../operation.js";
import { identifier, Joi, token } from "../validation.js";

interface Body {
  readonly operation_token?: string;
  readonly refresh_token?: string;
  readonly session_id?: string;
  readonly username?: string;
}

const schema = Joi.object<Body>({
  operation_token: token().description("Ends this token's session"),
  refresh_token: token().description("Ends this token's session"),
  session_id: identifier().description("Ends this session"),
  username: identifier().description("Ends every session of this user"),
})
  .oxor("operation_token", "refresh_token", "session_id", "username")
  .description(
    "Tessera's: ends a session (at most one target; with none, the caller's own: logout). Another user's sessions need a super user.",
  );

const response = answer({
  type: "object",
  properties: {
    message: { type: "string", description: "`<n> session(s) revoked`" },
    sessions_revoked: { type: "integer", minimum: 0 },
  },
  required: ["message", "sessions_revoked"],
  additionalProperties: false,
});

function targetOf(body: Body): RevocationTarget {
  const token = body.operation_token ?? body.refresh_token;
  if (token !== undefined) {
    return { token };
  }
  if (body.session_id !== undefined) {
    return { sessionId: body.session_id };
  }
  if (body.username !== undefined) {
    return { username: body.username };
  }
  return { current: true };
}

/**
 * `revoke_authentication_tokens` (Tessera's, HarperDB has none): ends the
 * session of an operation or refresh token, one session by id, every
 * session of a user, or with no field the caller's own session (logout).
 */
export const revokeAuthenticationTokens = callerOperation(
  "revoke_authentication_tokens",
  { superUser: false },
  schema,
  response,
  async ({ ctx, tenant, body, caller, ip }: CallerRequest<Body>) => {
    const target = targetOf(body);
    if ("current" in target && caller.session === undefined) {
      throw new TesseraError(
        "invalid_request",
        "Basic authentication has no session to revoke: give a token, session_id or username",
      );
    }
    const { sessionsRevoked } = await reworded(
      revokeOperationSessions(ctx, { tenant, caller, target, ip }),
      { forbidden: "Only a super_user may revoke another user's sessions" },
    );
    return {
      message: `${sessionsRevoked} session(s) revoked`,
      sessions_revoked: sessionsRevoked,
    };
  },
);
