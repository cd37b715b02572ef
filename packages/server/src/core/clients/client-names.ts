import { echoInput } from "../echo.js";
import { TesseraError } from "../errors.js";
import { isGeneratedClientId } from "./client-ids.js";

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NAME_MAX_LENGTH = 64;

/**
 * Checks a client name: 1-64 letters, digits, `.`, `_` or `-`, starting
 * with a letter or digit, and not shaped like a generated client id (it
 * would shadow that client where a name or an id is accepted).
 *
 * @throws `invalid_request`.
 */
export function checkClientName(name: string): void {
  if (!NAME_PATTERN.test(name) || isGeneratedClientId(name)) {
    throw new TesseraError(
      "invalid_request",
      "A client name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit, and not shaped like a client id",
    );
  }
}

/**
 * A valid client name made from free text (an API key's label, "web app
 * 2026" -> `web-app-2026`): each run of characters a name cannot hold
 * becomes `-`, cut to 64; then `-2`, `-3`, … until `taken` says it is free.
 * Text that leaves nothing usable gives `fallback`'s name.
 *
 * @example
 * deriveClientName("web app 2026", () => false, "apikey"); // "web-app-2026"
 */
export function deriveClientName(
  text: string,
  taken: (name: string) => boolean,
  fallback: string,
): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, NAME_MAX_LENGTH);
  const valid = (candidate: string) =>
    NAME_PATTERN.test(candidate) && !isGeneratedClientId(candidate);
  const base = valid(cleaned) ? cleaned : fallback;
  if (!valid(base)) {
    throw new TesseraError("invalid_request", `Cannot make a client name of ${echoInput(base)}`);
  }
  if (!taken(base)) {
    return base;
  }
  for (let n = 2; ; n++) {
    const tail = `-${n}`;
    const candidate = `${base.slice(0, NAME_MAX_LENGTH - tail.length)}${tail}`;
    if (!taken(candidate)) {
      return candidate;
    }
  }
}
