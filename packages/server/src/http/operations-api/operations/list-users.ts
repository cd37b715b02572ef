import { listUsers as list } from "../../../core/users.js";
import { type CallerRequest, callerOperation } from "../operation.js";
import { renderUser } from "../render.js";
import { Joi } from "../validation.js";

/** `list_users` (super users only): every user of the tenant with its role, ordered by username. */
export const listUsers = callerOperation(
  "list_users",
  { superUser: true, internalName: "listUsersExternal" },
  Joi.object({}),
  async ({ ctx, tenant }: CallerRequest<object>) => {
    const { users, roles } = await list(ctx, tenant.id);
    return users.map((user) =>
      renderUser(user, user.roleId === null ? undefined : roles.get(user.roleId)),
    );
  },
);
