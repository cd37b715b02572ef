import { echoInput } from "../../../core/echo.js";
import { dropRole as drop, getRole } from "../../../core/roles.js";
import { reworded } from "../errors.js";
import { answer, type CallerRequest, callerOperation } from "../operation.js";
import { identifier, Joi } from "../validation.js";

interface Body {
  readonly id: string;
}

const response = answer({
  type: "object",
  properties: { message: { type: "string", description: "`<role> successfully deleted`" } },
  required: ["message"],
  additionalProperties: false,
});

/** `drop_role` (super users only): refused with 409 while any user holds the role. */
export const dropRole = callerOperation(
  "drop_role",
  { superUser: true, internalName: "dropRole" },
  Joi.object<Body>({ id: identifier().required().description("The role's id") }).description(
    "Deletes a role no user holds (super users only).",
  ),
  response,
  async ({ ctx, tenant, body, caller }: CallerRequest<Body>) => {
    // Read first, so the refusal names the role as HarperDB's does.
    const held = await getRole(ctx, tenant.id, body.id);
    const role = await reworded(
      drop(ctx, { tenantId: tenant.id, id: body.id, actorUserId: caller.user.id }),
      {
        conflict: `Cannot drop role ${echoInput(held.name)} as it has user(s) tied to this role`,
      },
    );
    return { message: `${echoInput(role.name)} successfully deleted` };
  },
);
