import { cutToCodePoints, escapeText, NEVER_VALID_TEXT } from "./escape-text.js";
import type { AuditDetail } from "./model/index.js";

/** The most of one string an audit event keeps, in code points. */
export const MAX_AUDIT_STRING_LENGTH = 256;

/** The most an event's detail takes, as JSON. */
export const MAX_AUDIT_DETAIL_LENGTH = 4096;

/**
 * One string as an audit event keeps it: at most
 * {@link MAX_AUDIT_STRING_LENGTH} code points, then a marker saying how
 * many more there were, with every never-valid character escaped, so a
 * caller can neither write large rows nor store text that forges lines.
 */
export function boundAuditString(value: string): string {
  const { kept, more } = cutToCodePoints(value, MAX_AUDIT_STRING_LENGTH);
  return escapeText(more > 0 ? `${kept}…[${more} more characters]` : kept, NEVER_VALID_TEXT);
}

/**
 * An event's detail as it is stored: every string bounded
 * ({@link boundAuditString}), and entries kept in order while the whole
 * fits {@link MAX_AUDIT_DETAIL_LENGTH}; `truncated: true` marks a detail
 * that lost entries.
 */
export function boundAuditDetail(detail: AuditDetail): AuditDetail {
  const bounded: Record<string, string | number | boolean | null> = {};
  let length = 2;
  for (const [key, value] of Object.entries(detail)) {
    const keptKey = boundAuditString(key);
    const kept = typeof value === "string" ? boundAuditString(value) : value;
    const entryLength = JSON.stringify(keptKey).length + JSON.stringify(kept).length + 2;
    if (length + entryLength > MAX_AUDIT_DETAIL_LENGTH - '"truncated":true,'.length) {
      bounded.truncated = true;
      break;
    }
    bounded[keptKey] = kept;
    length += entryLength;
  }
  return bounded;
}
