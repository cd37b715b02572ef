import { roleOf } from "../../../core/roles.js";
import { answer, type CallerRequest, callerOperation } from "../operation.js";
import { renderUser, userSchema } from "../render.js";
import { Joi } from "../validation.js";

const response = answer(userSchema);

/** `user_info`: the caller, with its role. Open to every user. */
export const userInfo = callerOperation(
  "user_info",
  { superUser: false },
  Joi.object({}).description("The caller, with its role."),
  response,
  async ({ ctx, caller }: CallerRequest<object>) => {
    return renderUser(caller.user, await roleOf(ctx, caller.user));
  },
);
