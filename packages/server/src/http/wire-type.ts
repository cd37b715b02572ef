import type { FromSchema, JSONSchema } from "json-schema-to-ts";

/** `T` with every member and array readonly, as the server treats what it reads and sends. */
export type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * The TypeScript type of a wire schema: the route's request or response
 * type is derived from the very schema fastify validates with and the
 * OpenAPI document shows, so the three cannot disagree.
 */
export type WireType<S extends JSONSchema> = DeepReadonly<FromSchema<S>>;
