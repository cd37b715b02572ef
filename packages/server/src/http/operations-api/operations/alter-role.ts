import { echoInput } from "../../../core/echo.js";
import { isTesseraError, TesseraError } from "../../../core/errors.js";
import type { JsonObject } from "../../../core/model/index.js";
import { validateRolePermission } from "../../../core/role-permission.js";
import { checkRoleName, getRole, updateRole } from "../../../core/roles.js";
import { reworded } from "../errors.js";
import { answer, type CallerRequest, callerOperation } from "../operation.js";
import { renderRole, roleSchema } from "../render.js";
import { identifier, Joi } from "../validation.js";

interface Body {
  readonly id: string;
  readonly role?: string;
  readonly permission: JsonObject;
}

const schema = Joi.object<Body>({
  id: identifier().required().description("The role's id"),
  role: identifier().description("A new name"),
  permission: Joi.object().required().description("The new permission object, replacing the old"),
}).description("Replaces a role's permission object and optionally renames it (super users only).");

/** The role as stored after the change. */
const response = answer(roleSchema);

/**
 * `alter_role` (super users only): replaces a role's permission object (and
 * optionally renames it). Its members' grants change at once.
 */
export const alterRole = callerOperation(
  "alter_role",
  { superUser: true, internalName: "alterRole" },
  schema,
  response,
  async ({ ctx, tenant, body, caller }: CallerRequest<Body>) => {
    const update = (async () => {
      // The id, the new name, then HarperDB's shape of the permission object.
      await getRole(ctx, tenant.id, body.id);
      if (body.role !== undefined) {
        checkRoleName(body.role);
      }
      validateRolePermission(body.permission);
      return updateRole(ctx, {
        tenantId: tenant.id,
        id: body.id,
        permission: body.permission,
        ...(body.role === undefined ? {} : { name: body.role }),
        actorUserId: caller.user.id,
        actor: caller.user,
      });
    })().catch((error: unknown) => {
      // HarperDB answers an unknown role id with a 400.
      throw isTesseraError(error) && error.code === "not_found"
        ? new TesseraError("invalid_request", "Invalid role id", { cause: error })
        : error;
    });
    const role = await reworded(update, {
      conflict: `A role with name '${echoInput(body.role ?? "")}' already exists`,
    });
    return renderRole(role);
  },
);
