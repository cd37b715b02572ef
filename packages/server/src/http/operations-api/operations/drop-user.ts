import { echoInput } from "../../../core/echo.js";
import { deleteUser } from "../../../core/users.js";
import { reworded } from "../errors.js";
import { answer, type CallerRequest, callerOperation } from "../operation.js";
import { identifier, Joi } from "../validation.js";

interface Body {
  readonly username: string;
}

const response = answer({
  type: "object",
  properties: { message: { type: "string", description: "`<username> successfully deleted`" } },
  required: ["message"],
  additionalProperties: false,
});

/**
 * `drop_user` (super users only): deletes a user after revoking every
 * session they have. The core refuses a caller dropping itself.
 */
export const dropUser = callerOperation(
  "drop_user",
  { superUser: true, internalName: "dropUser" },
  Joi.object<Body>({ username: identifier().required() }).description(
    "Deletes a user and ends every session they have (super users only).",
  ),
  response,
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
