import { echoInput } from "../../../core/echo.js";
import { findRole } from "../../../core/roles.js";
import { addUser as add } from "../../../core/users.js";
import { reworded } from "../errors.js";
import { answer, type CallerRequest, callerOperation } from "../operation.js";
import { identifier, Joi, password } from "../validation.js";

interface Body {
  readonly username: string;
  readonly password: string;
  readonly role: string;
  readonly active: boolean;
}

const schema = Joi.object<Body>({
  username: identifier().required(),
  password: password().required(),
  role: identifier().required(),
  active: Joi.boolean().required(),
}).description("Adds a user with a role, active or not (super users only).");

const response = answer({
  type: "object",
  properties: { message: { type: "string", description: "`<username> successfully added`" } },
  required: ["message"],
  additionalProperties: false,
});

/** `add_user` (super users only): a user with a role, active or not. */
export const addUser = callerOperation(
  "add_user",
  { superUser: true, internalName: "addUser" },
  schema,
  response,
  async ({ ctx, tenant, body, caller }: CallerRequest<Body>) => {
    const role = await reworded(findRole(ctx, tenant.id, body.role), {
      not_found: `${echoInput(body.role)} role not found`,
    });
    await reworded(
      add(ctx, {
        tenantId: tenant.id,
        username: body.username,
        password: body.password,
        roleId: role.id,
        enabled: body.active,
        actorUserId: caller.user.id,
      }),
      { conflict: `User ${echoInput(body.username)} already exists` },
    );
    return { message: `${echoInput(body.username)} successfully added` };
  },
);
