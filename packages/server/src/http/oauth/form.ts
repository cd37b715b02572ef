import type { FastifyRequest } from "fastify";
import { echoInput } from "../../core/echo.js";
import { TesseraError } from "../../core/errors.js";
import { NEVER_VALID_CHARACTERS } from "../../core/identifiers.js";
import { FORM_MEDIA_TYPE } from "./errors.js";

/** Parameters that may appear more than once: RFC 8707 §2 `resource`, RFC 8693 §2.1 `audience`. */
const REPEATABLE = new Set(["resource", "audience"]);
/** More parameters than any grant needs, with room for several resources. */
const MAX_PARAMETERS = 32;
/** Longer than any assertion or token Tessera or a client signs; bounds what is examined. */
export const MAX_VALUE_LENGTH = 8192;
const MAX_NAME_LENGTH = 64;
const NEVER_VALID = new RegExp(`[${NEVER_VALID_CHARACTERS}]`, "u");

/** A token request's parameters, each name with its values in order. */
export class OAuthForm {
  readonly #values: ReadonlyMap<string, readonly string[]>;

  constructor(values: ReadonlyMap<string, readonly string[]>) {
    this.#values = values;
  }

  /** The parameter's one value, or undefined when it is absent. */
  get(name: string): string | undefined {
    return this.#values.get(name)?.[0];
  }

  /** Every value of a repeatable parameter, in order. */
  all(name: string): readonly string[] {
    return this.#values.get(name) ?? [];
  }

  /** The parameter's value, or `invalid_request` naming it. */
  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) {
      throw new TesseraError("invalid_request", `${name} is required`);
    }
    return value;
  }

  /** True when the parameter was sent with a value. */
  has(name: string): boolean {
    return this.#values.has(name);
  }
}

function refuse(message: string): never {
  throw new TesseraError("invalid_request", message);
}

/** Decodes one `application/x-www-form-urlencoded` component (`+` is a space). */
function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return refuse("The request body is not valid form encoding");
  }
}

/**
 * The token request's body as RFC 6749 §3.2 has it: an
 * `application/x-www-form-urlencoded` body in UTF-8 (Appendix B), every
 * parameter at most once (§3.2; `resource` and `audience` excepted), and a
 * parameter without a value treated as omitted (§3.1). A JSON body or any
 * other media type, a repeated parameter, a value past
 * {@link MAX_VALUE_LENGTH}, a control or bidirectional character, or
 * undecodable percent-encoding is `invalid_request`; no message quotes a
 * value. Unknown parameters are kept, and ignored by the grants (§3.2).
 * Parameters in the URL's query are refused (`invalid_request`), not
 * merged: RFC 6749 §3.2 (and RFC 7009 §2.1, RFC 7662 §2.1) send them in the
 * body, and a client that puts its secret in a URL must learn it at once.
 */
export function readForm(request: FastifyRequest): OAuthForm {
  const query = request.url.indexOf("?");
  if (query >= 0 && query < request.url.length - 1) {
    // A secret or a token in a URL ends up in access logs and proxies' histories.
    refuse("Send the parameters in the request body, not in the URL (RFC 6749 section 3.2)");
  }
  const body = request.body;
  const raw = Buffer.isBuffer(body) ? body : undefined;
  const contentType = request.headers["content-type"];
  if (contentType !== undefined && raw !== undefined) {
    const [mediaType = "", ...parameters] = contentType.split(";");
    if (mediaType.trim().toLowerCase() !== FORM_MEDIA_TYPE) {
      refuse(`Content-Type must be ${FORM_MEDIA_TYPE} (RFC 6749 section 3.2)`);
    }
    const charset = parameters
      .map((parameter) => parameter.trim().toLowerCase())
      .find((parameter) => parameter.startsWith("charset="));
    if (charset !== undefined && !["charset=utf-8", 'charset="utf-8"'].includes(charset)) {
      refuse("A token request is encoded in UTF-8");
    }
  } else if (raw !== undefined) {
    refuse(`Content-Type must be ${FORM_MEDIA_TYPE} (RFC 6749 section 3.2)`);
  }
  const values = new Map<string, string[]>();
  if (raw === undefined || raw.length === 0) {
    return new OAuthForm(values);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    return refuse("The request body is not valid UTF-8");
  }
  const pairs = text.split("&").filter((pair) => pair !== "");
  if (pairs.length > MAX_PARAMETERS) {
    refuse(`A token request has at most ${MAX_PARAMETERS} parameters`);
  }
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    const name = decodeComponent(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? "" : decodeComponent(pair.slice(equals + 1));
    if (name.length > MAX_NAME_LENGTH || NEVER_VALID.test(name)) {
      refuse("A parameter name is too long or holds a control character");
    }
    if (value.length > MAX_VALUE_LENGTH) {
      refuse(`${echoInput(name)} is longer than ${MAX_VALUE_LENGTH} characters`);
    }
    if (NEVER_VALID.test(value)) {
      refuse(
        `${echoInput(name)} must not hold control characters, bidirectional controls or line separators`,
      );
    }
    if (value === "") {
      continue;
    }
    const seen = values.get(name);
    if (seen === undefined) {
      values.set(name, [value]);
    } else if (REPEATABLE.has(name)) {
      seen.push(value);
    } else {
      refuse(
        `${echoInput(name)} is repeated; each parameter is sent at most once (RFC 6749 section 3.2)`,
      );
    }
  }
  return new OAuthForm(values);
}
