/** The running server, and an API key its CLI made. */
interface FlowServer {
  readonly baseUrl: string;
  /** An `X-API-Key` of the default tenant (spec 004's `ClientKey`, spec 001's `ApiKeyAuth`). */
  readonly apiKey: string;
}

/** What the token API flow steps up with: a confidential client with `tokens:write`. */
export interface TokenApiTarget extends FlowServer {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** What the session API flow logs in as: a user of the default tenant of its own. */
export interface SessionApiTarget extends FlowServer {
  readonly username: string;
  readonly password: string;
}

/**
 * What each generated client's flows module exports. The modules import
 * the generated code, which exists only once the suite has generated it,
 * so they are loaded at run time and checked by their own `tsc` run, not
 * by the package's.
 */
export interface GeneratedClientFlows {
  /** Spec 004: issue long- and short-term tokens, list, revoke, and a refused secret. */
  readonly tokenApi: (target: TokenApiTarget) => Promise<void>;
  /** Spec 001: log in with credentials in the body and with Basic and no body, refresh, log out, and a refused password. */
  readonly sessionApi: (target: SessionApiTarget) => Promise<void>;
}

function isFlows(value: unknown): value is GeneratedClientFlows {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const candidate = value as Record<string, unknown>;
  return typeof candidate.tokenApi === "function" && typeof candidate.sessionApi === "function";
}

/**
 * Loads the `flows` export of a module under `test/generated-flows/`. The
 * specifier is built at run time so that the package's own type check
 * does not follow it into code that has not been generated yet.
 */
export async function loadFlows(name: string): Promise<GeneratedClientFlows> {
  const specifier = new URL(`../generated-flows/${name}.ts`, import.meta.url).href;
  const loaded: unknown = await import(specifier);
  const flows =
    typeof loaded === "object" && loaded !== null ? (loaded as { flows?: unknown }).flows : loaded;
  if (!isFlows(flows)) {
    throw new Error(`${name} does not export its flows`);
  }
  return flows;
}
