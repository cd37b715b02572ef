import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CliError } from "../errors.js";

/** What a stored login is for: a user signed in through the CLI's client, or a client itself. */
export type LoginKind = "user" | "client";

/**
 * One server's login, as `tessera login` stores it: enough to get a fresh
 * access token without asking again. A user's refresh token (rotated at
 * every refresh), or a client's secret (client credentials give no refresh
 * token). The file holding it is the operator's alone (mode 0600).
 */
export interface StoredLogin {
  /** The server's base URL, as {@link normaliseServer} writes it. */
  readonly server: string;
  readonly tenant: string;
  readonly kind: LoginKind;
  /** The username, or the client id. */
  readonly principal: string;
  /** The client the tokens are issued to: `tessera-cli` for a user, the client itself otherwise. */
  readonly clientId: string;
  readonly accessToken: string;
  /** When the access token expires (epoch ms). */
  readonly expiresAt: number;
  readonly refreshToken: string | null;
  readonly clientSecret: string | null;
}

interface CredentialsFile {
  readonly version: 1;
  /** The server of the latest login: the one commands act on when nothing else says. */
  readonly current: string | null;
  readonly logins: Readonly<Record<string, StoredLogin>>;
}

const EMPTY: CredentialsFile = { version: 1, current: null, logins: {} };

/**
 * The directory of the CLI's own settings: `TESSERA_CONFIG_DIR`, else
 * `%APPDATA%\tessera` on Windows, else `$XDG_CONFIG_HOME/tessera`, else
 * `~/.config/tessera`.
 */
export function configDir(env: Readonly<Record<string, string | undefined>>): string {
  const chosen = env.TESSERA_CONFIG_DIR;
  if (chosen !== undefined && chosen !== "") {
    return chosen;
  }
  if (process.platform === "win32" && env.APPDATA !== undefined) {
    return join(env.APPDATA, "tessera");
  }
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg !== undefined && xdg !== "" ? xdg : join(homedir(), ".config"), "tessera");
}

/**
 * A server URL as logins are keyed: an `http:` or `https:` URL without
 * credentials, query or fragment, and without a trailing slash.
 */
export function normaliseServer(text: string, option = "--server"): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError("usage", `${option} must be a URL such as https://auth.example.com`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new CliError("usage", `${option} must be an http:// or https:// URL`);
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw new CliError("usage", `${option} must be a URL without credentials, query or fragment`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** The file of stored logins, in {@link configDir}. */
export class CredentialStore {
  readonly path: string;

  constructor(readonly dir: string) {
    this.path = join(dir, "credentials.json");
  }

  static of(env: Readonly<Record<string, string | undefined>>): CredentialStore {
    return new CredentialStore(configDir(env));
  }

  /** The login for `server`, if stored. */
  get(server: string): StoredLogin | undefined {
    return this.#read().logins[server];
  }

  /** The latest login, which commands act on when nothing else says. */
  current(): StoredLogin | undefined {
    const file = this.#read();
    return file.current === null ? undefined : file.logins[file.current];
  }

  /** Stores `login` (replacing any for its server); `current` makes it the one commands use. */
  save(login: StoredLogin, { current }: { readonly current: boolean }): void {
    const file = this.#read();
    this.#write({
      version: 1,
      current: current ? login.server : file.current,
      logins: { ...file.logins, [login.server]: login },
    });
  }

  /** Forgets `server`'s login; true if there was one. */
  forget(server: string): boolean {
    const file = this.#read();
    if (file.logins[server] === undefined) {
      return false;
    }
    const { [server]: _gone, ...logins } = file.logins;
    this.#write({ version: 1, current: file.current === server ? null : file.current, logins });
    return true;
  }

  #read(): CredentialsFile {
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        return EMPTY;
      }
      throw new CliError("failed", `Cannot read ${this.path}: ${(error as Error).message}`);
    }
    if (!stat.isFile()) {
      throw new CliError(
        "failed",
        `${this.path} is not a plain file: remove it and tessera login again`,
      );
    }
    if (process.platform !== "win32" && (stat.mode & 0o077) !== 0) {
      // As ssh does with a private key: credentials others can read are refused, not used.
      throw new CliError(
        "failed",
        `${this.path} is readable by other users: run chmod 600 ${this.path}, or tessera login again`,
      );
    }
    const text = readFileSync(this.path, "utf8");
    try {
      const parsed = JSON.parse(text) as Partial<CredentialsFile>;
      if (parsed.version === 1 && typeof parsed.logins === "object" && parsed.logins !== null) {
        return { version: 1, current: parsed.current ?? null, logins: parsed.logins };
      }
    } catch {
      // Reported below.
    }
    throw new CliError(
      "failed",
      `${this.path} is not a Tessera credentials file: remove it and tessera login again`,
    );
  }

  #write(file: CredentialsFile): void {
    this.#ownDirectory();
    // Written whole to a new file of a name no one can guess (never through
    // a link, 0600 from its first byte), then renamed over the old one: a
    // reader never sees half a file.
    const temporary = `${this.path}.${randomBytes(8).toString("hex")}.tmp`;
    const fd = openSync(
      temporary,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
      0o600,
    );
    try {
      writeSync(fd, `${JSON.stringify(file, null, 2)}\n`);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(temporary, this.path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }

  /**
   * Makes the directory, or checks the one there: a directory (not a link)
   * of this user's, entered by no one else (tightened to 0700 if it was
   * looser), so no one else can swap the file inside it.
   */
  #ownDirectory(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if (process.platform === "win32") {
      return;
    }
    const stat = lstatSync(this.dir);
    if (!stat.isDirectory() || stat.uid !== process.getuid?.()) {
      throw new CliError(
        "failed",
        `${this.dir} is not a directory of yours: set TESSERA_CONFIG_DIR to one that is`,
      );
    }
    if ((stat.mode & 0o077) !== 0) {
      chmodSync(this.dir, 0o700);
    }
  }
}
