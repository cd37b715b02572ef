/**
 * How a route's answers are declared, so that `/openapi.json` says what
 * the server sends: each status with its real media type, its named body
 * schema and the headers that come with it. Fastify serializes a response
 * with the schema of the reply's media type, and @fastify/swagger reads the
 * same declaration (`headers` beside `content`) into the document.
 */

/** A response header as the document declares it. */
interface HeaderDeclaration {
  readonly type: "string" | "integer";
  readonly description: string;
}

/** Response headers as the document declares them. */
export type Headers = Readonly<Record<string, HeaderDeclaration>>;

/** On every answer (app.ts): the id to quote when reporting a problem. */
export const REQUEST_ID_HEADER = {
  "X-Request-Id": {
    type: "string",
    description: "This request's id, also in the server's log line for it.",
  },
} as const satisfies Headers;

/** On every request counted against a budget (rate-limit.ts): the tightest budget's state. */
export const RATE_LIMIT_HEADERS = {
  "RateLimit-Limit": { type: "integer", description: "Requests allowed in the window." },
  "RateLimit-Remaining": { type: "integer", description: "Requests left in the window." },
  "RateLimit-Reset": { type: "integer", description: "Seconds until the window resets." },
} as const satisfies Headers;

/** On 429 and 503 (errors.ts): when trying again may succeed. */
export const RETRY_AFTER_HEADER = {
  "Retry-After": { type: "integer", description: "Seconds to wait before trying again." },
} as const satisfies Headers;

/** On a 401 that asks for a credential (RFC 6750 §3, RFC 6749 §5.2). */
export const WWW_AUTHENTICATE_HEADER = {
  "WWW-Authenticate": {
    type: "string",
    description: "The authentication scheme the endpoint expects, and why the credential failed.",
  },
} as const satisfies Headers;

/** A `$ref` to a named component schema, registered with `app.addSchema`. */
export function ref(id: string): { readonly $ref: string } {
  return { $ref: `${id}#` };
}

/**
 * One response: its description, its body in one media type, and its
 * headers (`X-Request-Id` always).
 */
export function answer(
  description: string,
  mediaType: string,
  schema: object,
  headers: Headers = {},
): object {
  return {
    description,
    headers: { ...REQUEST_ID_HEADER, ...headers },
    content: { [mediaType]: { schema } },
  };
}

/** A response without a body (`204`). */
export function emptyAnswer(description: string, headers: Headers = {}): object {
  return { description, type: "null", headers: { ...REQUEST_ID_HEADER, ...headers } };
}

/** What every error answer of a status means, in the document. */
const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: "Bad request: a field is missing, malformed or not allowed.",
  401: "Unauthorized: a credential is missing, wrong, expired or revoked.",
  403: "Forbidden: the credential is valid but may not do this.",
  404: "Not found.",
  409: "Conflict with the current state.",
  412: "Precondition failed: the resource changed since it was read (its `ETag` no longer matches `If-Match`).",
  413: "The request body is larger than the server accepts.",
  415: "The request body is not JSON.",
  422: "Unprocessable: the request is well-formed but cannot be carried out.",
  429: "Too many requests: wait `Retry-After` seconds.",
  500: "Internal error: quote `X-Request-Id` when reporting it.",
  503: "The store is unavailable: wait `Retry-After` seconds.",
};

/** The headers an error status comes with. */
function errorHeaders(status: number, challenges: boolean): Headers {
  if (status === 429) {
    return { ...RETRY_AFTER_HEADER, ...RATE_LIMIT_HEADERS };
  }
  if (status === 503) {
    return RETRY_AFTER_HEADER;
  }
  return status === 401 && challenges ? WWW_AUTHENTICATE_HEADER : {};
}

/** How one dialect renders its errors. */
export interface ErrorDialect {
  readonly mediaType: string;
  /** The `$id` of its error body's component schema. */
  readonly schemaId: string;
  /** Whether its 401 answers carry `WWW-Authenticate`. */
  readonly challenges: boolean;
}

/**
 * The error answers of a route, `{status: response}`, each in its
 * dialect's media type and body.
 */
export function errorAnswers(
  dialect: ErrorDialect,
  ...statuses: readonly number[]
): Record<number, object> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      answer(
        ERROR_DESCRIPTIONS[status] ?? "Error.",
        dialect.mediaType,
        ref(dialect.schemaId),
        errorHeaders(status, dialect.challenges),
      ),
    ]),
  );
}
