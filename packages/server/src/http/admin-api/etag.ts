import { createHash } from "node:crypto";
import type { FastifyReply } from "fastify";
import { TesseraError } from "../../core/errors.js";

/**
 * The strong entity tag of a resource as the admin API shows it (RFC 9110
 * §8.8.3): a digest of its representation, so it changes exactly when what
 * a reader sees changes.
 */
export function entityTag(representation: unknown): string {
  const digest = createHash("sha256").update(JSON.stringify(representation)).digest("base64url");
  return `"${digest.slice(0, 27)}"`;
}

/** Sends `representation` with its `ETag`. */
export function withEntityTag<T>(reply: FastifyReply, representation: T): T {
  reply.header("etag", entityTag(representation));
  return representation;
}

/** The longest `If-Match` header read; a longer one is a bad request. */
const MAX_IF_MATCH_LENGTH = 2048;

/**
 * The precondition an `If-Match` header sets (RFC 9110 §13.1.1), as a test of
 * the resource's current representation, or undefined without the header.
 * `*` holds for any current representation; otherwise one of the listed
 * tags must equal the current one by strong comparison, so a weak tag
 * (`W/"…"`) never matches.
 */
export function ifMatch(
  header: string | undefined,
): ((representation: unknown) => boolean) | undefined {
  if (header === undefined) {
    return undefined;
  }
  if (header.length > MAX_IF_MATCH_LENGTH) {
    throw new TesseraError("invalid_request", "The If-Match header is too long");
  }
  const value = header.trim();
  if (value === "*") {
    return () => true;
  }
  const tags = value.split(",").map((tag) => tag.trim());
  if (tags.some((tag) => !/^(W\/)?"[\x21\x23-\x7e]*"$/.test(tag))) {
    throw new TesseraError(
      "invalid_request",
      'If-Match must be "*" or a list of entity tags, as the ETag header gives them',
    );
  }
  return (representation) => tags.includes(entityTag(representation));
}
