import { listRoles as list } from "../../../core/roles.js";
import { answer, type CallerRequest, callerOperation } from "../operation.js";
import { renderRole, roleSchema } from "../render.js";
import { Joi } from "../validation.js";

const response = answer({ type: "array", items: roleSchema });

/** `list_roles` (super users only): every role of the tenant, ordered by name. */
export const listRoles = callerOperation(
  "list_roles",
  { superUser: true, internalName: "listRoles" },
  Joi.object({}).description("Every role of the tenant, ordered by name (super users only)."),
  response,
  async ({ ctx, tenant }: CallerRequest<object>) => (await list(ctx, tenant.id)).map(renderRole),
);
