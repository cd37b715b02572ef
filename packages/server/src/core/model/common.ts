/** Times are milliseconds since the Unix epoch throughout. */
export type EpochMs = number;

/** A JSON value, as a role's permission object holds. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };
