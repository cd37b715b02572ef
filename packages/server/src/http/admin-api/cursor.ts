import { TesseraError } from "../../core/errors.js";

/** The longest cursor accepted: what the admin API hands out is far shorter. */
const MAX_CURSOR_LENGTH = 512;

/**
 * An opaque page cursor: where the next page starts, as the admin API
 * hands it out in `next`. Its content is not an interface; clients pass it
 * back as they got it.
 */
export function encodeCursor(position: Readonly<Record<string, string | number>>): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

/**
 * Reads a cursor back: the position `read` makes of the decoded object,
 * which returns undefined when its fields are not what it handed out. Any
 * cursor it did not hand out is `invalid_request`.
 */
export function decodeCursor<T>(
  cursor: string | undefined,
  read: (position: Readonly<Record<string, unknown>>) => T | undefined,
): T | undefined {
  if (cursor === undefined) {
    return undefined;
  }
  const invalid = () =>
    new TesseraError("invalid_request", "cursor is not one this API handed out");
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw invalid();
  }
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (typeof position !== "object" || position === null || Array.isArray(position)) {
    throw invalid();
  }
  const found = read(position as Record<string, unknown>);
  if (found === undefined) {
    throw invalid();
  }
  return found;
}
