import { listSessions as list, MAX_SESSION_LIST } from "../../../core/sessions/list.js";
import { reworded } from "../errors.js";
import { answer, type CallerRequest, callerOperation } from "../operation.js";
import { renderSession, sessionSchema } from "../render.js";
import { identifier, Joi } from "../validation.js";

interface Body {
  readonly username?: string;
  readonly include_ended?: boolean;
  readonly limit?: number;
}

const schema = Joi.object<Body>({
  username: identifier().description("Whose sessions (super users only); all users' when absent"),
  include_ended: Joi.boolean().description("Ended sessions too"),
  limit: Joi.number().integer().min(1).max(MAX_SESSION_LIST),
}).description(
  "Tessera's: the caller's sessions, newest first; a super user may list everyone's, or one user's.",
);

const response = answer({ type: "array", items: sessionSchema });

/**
 * `list_sessions` (Tessera's): the caller's live sessions, newest first;
 * a super user may list everyone's, or one user's with `username`.
 */
export const listSessions = callerOperation(
  "list_sessions",
  { superUser: false },
  schema,
  response,
  async ({ ctx, tenant, body, caller }: CallerRequest<Body>) => {
    const { sessions, usernames } = await reworded(
      list(ctx, {
        tenantId: tenant.id,
        caller: caller.user,
        ...(body.username === undefined ? {} : { username: body.username }),
        ...(body.include_ended === undefined ? {} : { includeEnded: body.include_ended }),
        ...(body.limit === undefined ? {} : { limit: body.limit }),
      }),
      { forbidden: "Only a super_user may list another user's sessions" },
    );
    return sessions.map((s) => renderSession(s, usernames.get(s.userId), caller.session?.id));
  },
);
