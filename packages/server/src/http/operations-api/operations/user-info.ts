import { type CallerRequest, callerOperation } from "../operation.js";
import { renderUser } from "../render.js";
import { Joi } from "../validation.js";

/** `user_info`: the caller, with its role. Open to every user. */
export const userInfo = callerOperation(
  "user_info",
  { superUser: false },
  Joi.object({}),
  async ({ ctx, tenant, caller }: CallerRequest<object>) => {
    const { user } = caller;
    const role =
      user.roleId === null ? undefined : await ctx.store.roles.get(tenant.id, user.roleId);
    return renderUser(user, role);
  },
);
