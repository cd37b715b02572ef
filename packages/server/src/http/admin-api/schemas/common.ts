import { IDENTIFIER_INPUT_PATTERN } from "../../../core/identifiers.js";
import {
  answer,
  type ErrorDialect,
  emptyAnswer,
  errorAnswers,
  type Headers,
  ref,
} from "../../openapi-responses.js";

/** How the admin API answers errors: RFC 9457 problems, with Bearer challenges on 401. */
export const ADMIN_API_ERRORS: ErrorDialect = {
  mediaType: "application/problem+json",
  schemaId: "Problem",
  challenges: true,
};

/** The document's tag of every admin route. */
export const TAGS = ["admin"];
/** The security of a route that changes something. */
export const WRITE = [{ AdminToken: ["admin:write"] }];
/** The security of a route that only reads. */
export const READ = [{ AdminToken: ["admin:read"] }];

/** The statuses every admin route can answer with, besides its own. */
const ALWAYS = [400, 401, 403, 503] as const;

/** A route's error answers: every route's, and `statuses`. */
export function adminProblems(...statuses: readonly number[]): Record<number, object> {
  return errorAnswers(ADMIN_API_ERRORS, ...new Set([...ALWAYS, ...statuses]));
}

/** The `ETag` of the resource an answer carries. */
export const ETAG_HEADER = {
  ETag: {
    type: "string",
    description:
      "The resource's entity tag: send it back in `If-Match` to change the resource only if no one else changed it since.",
  },
} as const satisfies Headers;

/** The `Location` of a created resource. */
export const LOCATION_HEADER = {
  Location: { type: "string", description: "The created resource's URL." },
} as const satisfies Headers;

/** A JSON answer of the component `id`. */
export function adminAnswer(description: string, id: string, headers: Headers = {}): object {
  return answer(description, "application/json", ref(id), headers);
}

/** A `204` answer. */
export function adminEmpty(description: string): object {
  return emptyAnswer(description);
}

/** A string naming something: bounded, refusing control and bidirectional characters. */
export const identifier = (maxLength: number, minLength = 1) =>
  ({ type: "string", minLength, maxLength, pattern: IDENTIFIER_INPUT_PATTERN }) as const;

/** `{tenant}` in a path. */
export const tenantParams = {
  type: "object",
  properties: { tenant: identifier(64) },
  required: ["tenant"],
} as const;

/** `{tenant}` and one resource `{id}` in a path. */
export const resourceParams = {
  type: "object",
  properties: { tenant: identifier(64), id: identifier(128) },
  required: ["tenant", "id"],
} as const;

/** The most items one page holds. */
export const MAX_PAGE_SIZE = 200;

/** `limit` and `cursor`: cursor pagination. */
export const pageQueryProperties = {
  limit: {
    type: "integer",
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: 50,
    description: `How many items at most (1-${MAX_PAGE_SIZE}, default 50).`,
  },
  cursor: {
    type: "string",
    minLength: 1,
    maxLength: 512,
    description: "Where to go on: the `next` of the previous page, as it was given.",
  },
} as const;

/** The `next` of a page: the cursor of the page after it, or null on the last. */
export const nextCursor = {
  type: ["string", "null"],
  description: "Pass as `cursor` to get the next page; null on the last page.",
} as const;

/** `If-Match` on a request that changes a resource. */
export const ifMatchHeader = {
  type: "object",
  properties: {
    "if-match": {
      type: "string",
      description:
        "The `ETag` of the resource as read: the change applies only if it still matches (else 412).",
    },
  },
} as const;

/** An ISO 8601 time, as the admin API shows every time. */
export const timestamp = { type: "string", description: "ISO 8601, UTC." } as const;

/** A nullable ISO 8601 time. */
export const optionalTimestamp = {
  type: ["string", "null"],
  description: "ISO 8601, UTC.",
} as const;

/** An epoch-ms time as the admin API shows it. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A nullable epoch-ms time as the admin API shows it. */
export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}
