import { echoInput } from "../../../core/echo.js";
import { TesseraError } from "../../../core/errors.js";
import { findRole } from "../../../core/roles.js";
import { alterUser as alter } from "../../../core/users.js";
import { reworded } from "../errors.js";
import { answer, type CallerRequest, callerOperation } from "../operation.js";
import { identifier, Joi, password } from "../validation.js";

interface Body {
  readonly username: string;
  readonly password?: string;
  readonly role?: string;
  readonly active?: boolean;
}

const schema = Joi.object<Body>({
  username: identifier().required(),
  password: password().allow(""),
  role: identifier().allow(""),
  active: Joi.boolean(),
}).description(
  "Changes a user's password, role or active flag, at least one of them (super users only).",
);

/** HarperDB's answer to an update of one record. */
const response = answer({
  type: "object",
  properties: {
    message: { type: "string", description: "`updated 1 of 1 records`" },
    new_attributes: { type: "array", items: { type: "string" }, maxItems: 0 },
    txn_time: { type: "integer", description: "Milliseconds since the Unix epoch" },
    update_hashes: { type: "array", items: { type: "string" }, description: "The username" },
    skipped_hashes: { type: "array", items: { type: "string" }, maxItems: 0 },
  },
  required: ["message", "new_attributes", "txn_time", "update_hashes", "skipped_hashes"],
  additionalProperties: false,
});

/**
 * `alter_user` (super users only): a new password, role or active flag,
 * applied together by the core (which checks everything first, revokes the
 * user's sessions on a new password or deactivation, and refuses to let a
 * caller deactivate itself or drop its own admin level).
 */
export const alterUser = callerOperation(
  "alter_user",
  { superUser: true, internalName: "alterUser" },
  schema,
  response,
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
    const newRole =
      role === undefined
        ? undefined
        : await reworded(findRole(ctx, tenant.id, role), {
            not_found: `Update failed.  Requested '${echoInput(role)}' role not found.`,
          });
    await reworded(
      alter(ctx, {
        tenantId: tenant.id,
        username,
        ...(password === undefined ? {} : { password }),
        ...(newRole === undefined ? {} : { role: newRole }),
        ...(active === undefined ? {} : { enabled: active }),
        actorUserId: caller.user.id,
      }),
      { not_found: `User ${echoInput(username)} does not exist` },
    );
    return {
      message: "updated 1 of 1 records",
      new_attributes: [],
      txn_time: ctx.clock.now(),
      update_hashes: [username],
      skipped_hashes: [],
    };
  },
);
