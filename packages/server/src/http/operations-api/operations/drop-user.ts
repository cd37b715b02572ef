import { echoInput } from "../../../core/echo.js";
import { deleteUser } from "../../../core/users.js";
import { reworded } from "../errors.js";
import { type CallerRequest, callerOperation } from "../operation.js";
import { identifier, Joi } from "../validation.js";

interface Body {
  readonly username: string;
}

/**
 * `drop_user` (super users only): deletes a user after revoking every
 * session they have. The core refuses a caller dropping itself.
 */
export const dropUser = callerOperation(
  "drop_user",
  { superUser: true, internalName: "dropUser" },
  Joi.object<Body>({ username: identifier().required() }),
  async ({ ctx, tenant, body, caller }: CallerRequest<Body>) => {
    await reworded(
      deleteUser(ctx, {
        tenantId: tenant.id,
        username: body.username,
        actorUserId: caller.user.id,
      }),
      { not_found: `User ${echoInput(body.username)} does not exist` },
    );
    return { message: `${echoInput(body.username)} successfully deleted` };
  },
);
