import ms from "ms";
import { TesseraError } from "../../../core/errors.js";
import {
  createOperationTokensWithPassword,
  issueOperationTokens,
  type OperationTokens,
} from "../../../core/operation-tokens/issue.js";
import { authenticateCaller } from "../authorization.js";
import { reworded } from "../errors.js";
import { answer, type OperationRequest, selfAuthenticatingOperation } from "../operation.js";
import { Joi, loginUsername, password } from "../validation.js";

interface Body {
  readonly username?: string;
  readonly password?: string;
  readonly expires_in?: string | number;
}

const schema = Joi.object<Body>({
  username: loginUsername().description("With password: log in as this user"),
  password: password(),
  expires_in: Joi.alternatives(Joi.string().max(64), Joi.number().unsafe()).description(
    'Shortens the operation token: seconds, or a duration such as "1h"',
  ),
}).description(
  "An operation token and a refresh token (spec 002): with username and password, no authorization is needed; with neither, for the authenticated caller.",
);

const response = answer({
  type: "object",
  properties: {
    operation_token: { type: "string", description: "An RS256 JWT, for the Bearer credential" },
    refresh_token: {
      type: "string",
      description: "An RS256 JWT, for refresh_operation_token",
    },
  },
  required: ["operation_token", "refresh_token"],
  additionalProperties: false,
});

/** HarperDB's answer to a failed `create_authentication_tokens` login. */
const INVALID_CREDENTIALS = "invalid credentials";

const BAD_EXPIRES_IN =
  "'expires_in' must be a positive number of seconds or a duration such as \"1h\"";

/**
 * Reads `expires_in` as HarperDB's clients send it: a number of seconds, or
 * a duration string (`"30m"`, `"1h"`, `"2 days"`, as jsonwebtoken reads
 * it). A string of digits is seconds too, where jsonwebtoken would read
 * milliseconds: the safer reading of what the caller meant.
 */
export function parseExpiresIn(value: string | number): number {
  let seconds: number;
  if (typeof value === "number") {
    seconds = value;
  } else if (/^\d+$/.test(value.trim())) {
    seconds = Number(value.trim());
  } else {
    const millis: unknown = ms(value as ms.StringValue);
    seconds = typeof millis === "number" ? millis / 1000 : Number.NaN;
  }
  if (!Number.isFinite(seconds) || seconds < 1) {
    throw new TesseraError("invalid_request", BAD_EXPIRES_IN);
  }
  return Math.floor(seconds);
}

function render(tokens: OperationTokens) {
  return { operation_token: tokens.operationToken, refresh_token: tokens.refreshToken };
}

/**
 * `create_authentication_tokens` (spec 002): with `username` and
 * `password`, tokens for that user (no authorization needed; only one of
 * the two is a failed login); with neither, tokens for the authenticated
 * caller. Each call starts its own
 * session. `expires_in` shortens the operation token.
 */
export const createAuthenticationTokens = selfAuthenticatingOperation(
  "create_authentication_tokens",
  schema,
  response,
  async (request: OperationRequest<Body>) => {
    const { ctx, tenant, body, ip } = request;
    const expiresIn =
      body.expires_in === undefined ? {} : { expiresInSeconds: parseExpiresIn(body.expires_in) };
    if (body.username !== undefined || body.password !== undefined) {
      if (body.username === undefined || body.password === undefined) {
        // HarperDB answers a half-given login as a failed one, and its
        // clients treat it so. Nothing about any user is looked up.
        throw new TesseraError("invalid_credentials", INVALID_CREDENTIALS, {
          detail: `only one of username and password was given`,
        });
      }
      const tokens = await reworded(
        createOperationTokensWithPassword(ctx, {
          tenant,
          username: body.username,
          password: body.password,
          ip,
          ...expiresIn,
        }),
        { invalid_credentials: INVALID_CREDENTIALS },
      );
      return render(tokens);
    }
    const caller = await authenticateCaller(ctx, request);
    const tokens = await issueOperationTokens(ctx, {
      tenant,
      user: caller.user,
      ip,
      ...expiresIn,
      ...(caller.session === undefined ? {} : { parent: caller.session }),
    });
    return render(tokens);
  },
);
