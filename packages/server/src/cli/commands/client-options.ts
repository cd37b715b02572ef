import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { TOKEN_ENDPOINT_AUTH_METHODS } from "../../core/clients/auth-methods.js";
import { LONG_TERM_TTL_DAYS } from "../../core/clients/clients.js";
import { GRANT_TYPES } from "../../core/clients/grant-types.js";
import type { ClientUpdate } from "../../core/clients/update-client.js";
import type { CommonOptions } from "../context.js";
import { usageError } from "../errors.js";

/** The options `add` and `update` share that say how a client gets tokens. */
export interface OAuthOptions {
  readonly grantTypes?: string;
  readonly authMethod?: string;
  readonly public?: boolean;
  /** `--audiences a,b`: the whole list at once (`""` for none). */
  readonly audiences?: string;
}

/** `tessera client add`'s options, as commander hands them over. */
export interface AddOptions extends CommonOptions, OAuthOptions {
  readonly id?: string;
  readonly scopes?: string;
  readonly otp?: boolean;
  readonly publicKey?: string[];
  readonly maxTtlDays?: string;
  readonly audience?: string[];
}

/** `tessera client update`'s options, as commander hands them over. */
export interface UpdateOptions extends CommonOptions, OAuthOptions {
  readonly name?: string;
  readonly scopes?: string;
  readonly maxTtlDays?: string;
  readonly addPublicKey?: string[];
  readonly removePublicKey?: string[];
  /** `--otp` enrols (again), `--no-otp` removes; undefined leaves it. */
  readonly otp?: boolean;
  /** `--audience` (repeatable) replaces the list, `--no-audience` empties it; undefined leaves it. */
  readonly audience?: string[] | false;
}

/** Collects a repeatable option's values. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

const AUDIENCE_CONFLICT =
  "--audience and --no-audience cannot be used together (--audience replaces the allowed audiences, --no-audience empties them)";

/**
 * `--audience <aud>` (repeatable) and `--no-audience` on `command`.
 * Commander keeps both in one value and lets the later win, so `--audience
 * X --no-audience` would silently empty the list and `--no-audience
 * --audience X` would hand `false` to the list; given together, in either
 * order, they are a usage error instead.
 */
export function audienceOptions(
  command: Command,
  description: string,
  emptyDescription: string,
): Command {
  const conflict = () => command.error(`error: ${AUDIENCE_CONFLICT}`);
  // Registered before commander's own listener, so this sees the list before it becomes false.
  command.on("option:no-audience", () => {
    if (Array.isArray(command.getOptionValue("audience"))) {
      conflict();
    }
  });
  return command
    .option("--audience <aud>", description, (value: string, previous?: string[] | false) =>
      previous === false ? conflict() : collect(value, previous),
    )
    .option("--no-audience", emptyDescription);
}

/** `--scopes a,b`: a comma-separated list; `--scopes ""` is no scopes. */
export const scopeList = (value: string) =>
  value
    .split(",")
    .map((scope) => scope.trim())
    .filter((scope) => scope !== "");

/**
 * The auth method `--public` and `--auth-method` ask for, or undefined for
 * neither. `--public` is auth method `none`; with any other it is a
 * contradiction, refused before anything changes.
 */
function authMethodOf(options: OAuthOptions): string | undefined {
  if (options.public === true) {
    if (options.authMethod !== undefined && options.authMethod !== "none") {
      throw usageError(
        `--public makes a public client (auth method none), which contradicts --auth-method ${options.authMethod}`,
      );
    }
    return "none";
  }
  return options.authMethod;
}

/** What `add` and `update` hand the core for the grant types and auth method options. */
export function oauthInput(options: OAuthOptions) {
  const method = authMethodOf(options);
  return {
    ...(options.grantTypes === undefined ? {} : { grantTypes: scopeList(options.grantTypes) }),
    ...(method === undefined ? {} : { tokenEndpointAuthMethod: method }),
  };
}

/** `--audiences a,b` or the repeated `--audience`, not both. */
export function audiencesOf(
  options: OAuthOptions & { readonly audience?: string[] | false },
): string[] | undefined {
  if (options.audiences !== undefined) {
    if (options.audience !== undefined) {
      throw usageError(
        "--audiences gives the whole list; it cannot be combined with --audience or --no-audience",
      );
    }
    return scopeList(options.audiences);
  }
  return options.audience === undefined
    ? undefined
    : options.audience === false
      ? []
      : options.audience;
}

/** Help texts of the options `add` and `update` share. */
export const GRANT_TYPES_HELP = `comma-separated grant types, by their RFC names: ${GRANT_TYPES.join(", ")}`;
export const AUTH_METHOD_HELP = `how it authenticates at a token endpoint: ${TOKEN_ENDPOINT_AUTH_METHODS.join(", ")}`;
export const AUDIENCES_HELP =
  'the audiences its tokens may have besides the tenant\'s issuer, comma-separated ("" for none)';

/** `--max-ttl-days`: a whole number of days in the allowed range, or undefined when not given. */
export function days(value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const { min, max } = LONG_TERM_TTL_DAYS;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw usageError(`--max-ttl-days must be a whole number of days from ${min} to ${max}`);
  }
  return Number(value);
}

/** Reads key files (PEM or JWK); a file that cannot be read is a one-line error naming it. */
export async function readKeyFiles(paths: readonly string[]): Promise<string[]> {
  return Promise.all(
    paths.map(async (path) => {
      try {
        return await readFile(path, "utf8");
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw usageError(
          code === "ENOENT"
            ? `No such public key file: ${path}`
            : `Cannot read public key file ${path} (${code ?? "unknown error"})`,
        );
      }
    }),
  );
}

/**
 * What `client update` asks to change, in the core's words ({@link ClientUpdate}'s
 * settings; the public keys as the texts read from their files), the same for either mode.
 */
export type ClientChange = Pick<
  ClientUpdate,
  | "name"
  | "grantTypes"
  | "tokenEndpointAuthMethod"
  | "scopes"
  | "audiences"
  | "maxTokenTtlDays"
  | "addPublicKeys"
  | "removePublicKeys"
  | "otp"
>;

/** `client update`'s options as a {@link ClientChange}; usage errors and unreadable key files first. */
export async function clientChangeOf(options: UpdateOptions): Promise<ClientChange> {
  const oauth = oauthInput(options);
  const audiences = audiencesOf(options);
  const maxTokenTtlDays = days(options.maxTtlDays);
  return {
    ...(options.name === undefined ? {} : { name: options.name }),
    ...oauth,
    ...(options.scopes === undefined ? {} : { scopes: scopeList(options.scopes) }),
    ...(audiences === undefined ? {} : { audiences }),
    ...(maxTokenTtlDays === undefined ? {} : { maxTokenTtlDays }),
    ...(options.addPublicKey === undefined
      ? {}
      : { addPublicKeys: await readKeyFiles(options.addPublicKey) }),
    ...(options.removePublicKey === undefined ? {} : { removePublicKeys: options.removePublicKey }),
    ...(options.otp === undefined ? {} : { otp: options.otp ? "enrol" : "remove" }),
  };
}
