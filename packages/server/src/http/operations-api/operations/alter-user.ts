import { TesseraError } from "../../../core/errors.js";
import { checkNewPassword } from "../../../core/passwords.js";
import { findRole } from "../../../core/roles.js";
import {
  getUserByUsername,
  setUserEnabled,
  setUserPassword,
  setUserRole,
} from "../../../core/users.js";
import { reworded } from "../errors.js";
import { type CallerRequest, callerOperation } from "../operation.js";
import { Joi } from "../validation.js";

interface Body {
  readonly username: string;
  readonly password?: string;
  readonly role?: string;
  readonly active?: boolean;
}

const schema = Joi.object<Body>({
  username: Joi.string().required(),
  password: Joi.string().allow(""),
  role: Joi.string().allow(""),
  active: Joi.boolean(),
});

/**
 * `alter_user` (super users only): a new password, role or active flag.
 * Everything is checked before anything changes. A new password or
 * deactivation revokes every session of the user at once.
 */
export const alterUser = callerOperation(
  "alter_user",
  { superUser: true, internalName: "alterUser" },
  schema,
  async ({ ctx, tenant, body, caller }: CallerRequest<Body>) => {
    const { username, password, role, active } = body;
    if (password === undefined && role === undefined && active === undefined) {
      throw new TesseraError(
        "invalid_request",
        "nothing to update, must supply active, role or password to update",
      );
    }
    if (password === "") {
      throw new TesseraError("invalid_request", "password cannot be an empty string");
    }
    if (role === "") {
      throw new TesseraError("invalid_request", "If role is specified, it cannot be empty.");
    }
    if (password !== undefined) {
      checkNewPassword(password);
    }
    const user = await reworded(getUserByUsername(ctx, tenant.id, username), {
      not_found: `User ${username} does not exist`,
    });
    if (active === false && user.id === caller.user.id) {
      throw new TesseraError("forbidden", "You cannot deactivate your own user");
    }
    const newRole =
      role === undefined
        ? undefined
        : await reworded(findRole(ctx, tenant.id, role), {
            not_found: `Update failed.  Requested '${role}' role not found.`,
          });
    const change = { tenantId: tenant.id, username, actorUserId: caller.user.id };
    if (newRole !== undefined) {
      await setUserRole(ctx, { ...change, roleId: newRole.id });
    }
    if (active !== undefined) {
      await setUserEnabled(ctx, { ...change, enabled: active });
    }
    if (password !== undefined) {
      await setUserPassword(ctx, { ...change, password });
    }
    return {
      message: "updated 1 of 1 records",
      new_attributes: [],
      txn_time: ctx.clock.now(),
      update_hashes: [username],
      skipped_hashes: [],
    };
  },
);
