import { listRoles as list } from "../../../core/roles.js";
import { type CallerRequest, callerOperation } from "../operation.js";
import { renderRole } from "../render.js";
import { Joi } from "../validation.js";

/** `list_roles` (super users only): every role of the tenant, ordered by name. */
export const listRoles = callerOperation(
  "list_roles",
  { superUser: true, internalName: "listRoles" },
  Joi.object({}),
  async ({ ctx, tenant }: CallerRequest<object>) => (await list(ctx, tenant.id)).map(renderRole),
);
