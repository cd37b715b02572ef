import type { FastifyRequest } from "fastify";
import { type AuthenticatedClient, authenticateApiKey } from "../core/api-keys.js";
import type { GrantType } from "../core/clients/grant-types.js";
import type { CoreContext } from "../core/context.js";
import { isTesseraError, TesseraError } from "../core/errors.js";

const missingOrInvalid = () => new TesseraError("invalid_api_key", "Missing or invalid X-API-Key");

/**
 * `error` in this layer's words: the core's refusal of an API key (in the
 * hook, or later, as a refresh whose client lacks `refresh_token`) names
 * the header it came in, the same words whatever the reason.
 */
export function inClientKeyWords(error: unknown): unknown {
  if (!isTesseraError(error) || error.code !== "invalid_api_key") {
    return error;
  }
  // The reason stays in the log's detail; the caller gets the one answer.
  return new TesseraError("invalid_api_key", "Missing or invalid X-API-Key", {
    ...(error.detail === undefined ? {} : { detail: error.detail }),
  });
}

declare module "fastify" {
  interface FastifyRequest {
    /** The client application named by `X-API-Key`, set by {@link clientKeyHook}. */
    tesseraClient: AuthenticatedClient | null;
  }
}

/**
 * A `preValidation` hook that resolves `X-API-Key` to its client. It runs
 * after the body is parsed (so size and content-type errors come first) and
 * before the body schema (so an unauthenticated caller learns nothing about
 * the schema).
 *
 * @param options.grant the grant every route behind the hook serves: a key
 *   whose client may not use it is refused as an unknown key is.
 */
export function clientKeyHook(ctx: CoreContext, options: { readonly grant?: GrantType } = {}) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers["x-api-key"];
    try {
      request.tesseraClient = await authenticateApiKey(
        ctx,
        typeof header === "string" ? header : undefined,
        options,
      );
    } catch (error) {
      // The core knows an API key; the header it came in is this layer's word.
      throw inClientKeyWords(error);
    }
  };
}

/** The client set by {@link clientKeyHook}; a route without the hook is a programming error. */
export function clientOf(request: FastifyRequest): AuthenticatedClient {
  if (request.tesseraClient === null) {
    throw missingOrInvalid();
  }
  return request.tesseraClient;
}
