import { listUsers as list } from "../../../core/users.js";
import { answer, type CallerRequest, callerOperation } from "../operation.js";
import { renderUser, userSchema } from "../render.js";
import { Joi } from "../validation.js";

const response = answer({ type: "array", items: userSchema });

/** `list_users` (super users only): every user of the tenant with its role, ordered by username. */
export const listUsers = callerOperation(
  "list_users",
  { superUser: true, internalName: "listUsersExternal" },
  Joi.object({}).description(
    "Every user of the tenant with its role, ordered by username (super users only).",
  ),
  response,
  async ({ ctx, tenant }: CallerRequest<object>) => {
    const { users, roles } = await list(ctx, tenant.id);
    return users.map((user) =>
      renderUser(user, user.roleId === null ? undefined : roles.get(user.roleId)),
    );
  },
);
