import { roleOf } from "../../../core/roles.js";
import { type CallerRequest, callerOperation } from "../operation.js";
import { renderUser } from "../render.js";
import { Joi } from "../validation.js";

/** `user_info`: the caller, with its role. Open to every user. */
export const userInfo = callerOperation(
  "user_info",
  { superUser: false },
  Joi.object({}),
  async ({ ctx, caller }: CallerRequest<object>) => {
    return renderUser(caller.user, await roleOf(ctx, caller.user));
  },
);
