import { echoInput } from "../../../core/echo.js";
import { dropRole as drop } from "../../../core/roles.js";
import { type CallerRequest, callerOperation } from "../operation.js";
import { identifier, Joi } from "../validation.js";

interface Body {
  readonly id: string;
}

/** `drop_role` (super users only): refused with 409 while any user holds the role. */
export const dropRole = callerOperation(
  "drop_role",
  { superUser: true, internalName: "dropRole" },
  Joi.object<Body>({ id: identifier().required() }),
  async ({ ctx, tenant, body, caller }: CallerRequest<Body>) => {
    const role = await drop(ctx, { tenantId: tenant.id, id: body.id, actorUserId: caller.user.id });
    return { message: `${echoInput(role.name)} successfully deleted` };
  },
);
