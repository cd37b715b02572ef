import { echoInput } from "../../../core/echo.js";
import type { JsonObject } from "../../../core/model/index.js";
import { validateRolePermission } from "../../../core/role-permission.js";
import { addRole as add, checkRoleName } from "../../../core/roles.js";
import { reworded } from "../errors.js";
import { answer, type CallerRequest, callerOperation } from "../operation.js";
import { renderRole, roleSchema } from "../render.js";
import { identifier, Joi } from "../validation.js";

interface Body {
  readonly role: string;
  readonly permission: JsonObject;
}

const schema = Joi.object<Body>({
  role: identifier().required().description("The new role's name"),
  permission: Joi.object()
    .required()
    .description("HarperDB's permission object; `super_user: true` is the admin level"),
}).description("Adds a role (super users only).");

/** The role as stored. */
const response = answer(roleSchema);

/** `add_role` (super users only): a named permission object; `super_user: true` is the admin level. */
export const addRole = callerOperation(
  "add_role",
  { superUser: true, internalName: "addRole" },
  schema,
  response,
  async ({ ctx, tenant, body, caller }: CallerRequest<Body>) => {
    // The name first, then HarperDB's shape of the permission object.
    checkRoleName(body.role);
    validateRolePermission(body.permission);
    const role = await reworded(
      add(ctx, {
        tenantId: tenant.id,
        name: body.role,
        permission: body.permission,
        actorUserId: caller.user.id,
      }),
      { conflict: `A role with name '${echoInput(body.role)}' already exists` },
    );
    return renderRole(role);
  },
);
