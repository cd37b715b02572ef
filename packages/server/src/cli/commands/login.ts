import { homedir } from "node:os";
import type { Command } from "commander";
import { CLI_CLIENT_ID } from "../../core/clients/first-party.js";
import type { AdminCallerView } from "../../http/admin-api/schemas/me.js";
import type { CommonOptions } from "../context.js";
import { resolveDeployment, viewDeployment } from "../deployment.js";
import { CliError, usageError } from "../errors.js";
import { output, printError } from "../io.js";
import { readAnswer, readSecret } from "../prompt.js";
import { AdminClient } from "../remote/admin-client.js";
import { CredentialStore, normaliseServer, type StoredLogin } from "../remote/credentials.js";
import { type Credentials, OAuthRefusal, revoke, signIn } from "../remote/oauth.js";

interface LoginOptions extends CommonOptions {
  readonly username?: string;
  readonly passwordStdin?: boolean;
  readonly clientId?: string;
  readonly clientSecretStdin?: boolean;
  readonly allowHttp?: boolean;
}

/** The server named by `--server`, else `TESSERA_SERVER`; a usage error without either. */
function serverOf(options: CommonOptions): string | undefined {
  if (options.server !== undefined) {
    return normaliseServer(options.server);
  }
  const env = process.env.TESSERA_SERVER;
  return env === undefined || env === "" ? undefined : normaliseServer(env, "TESSERA_SERVER");
}

/** `path` with the home directory as `~`, as people write it. */
function tilde(path: string): string {
  const home = homedir();
  return path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

/** True for a host that names this machine, where plain http never leaves it. */
function isLoopback(server: string): boolean {
  const host = new URL(server).hostname;
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** What the operator signs in with: a user (prompted, or flags) or a client (id and secret). */
async function credentialsOf(options: LoginOptions): Promise<Credentials> {
  if (options.clientId !== undefined) {
    if (options.username !== undefined || options.passwordStdin === true) {
      throw usageError("give --client-id or --username, not both");
    }
    const clientSecret = await readSecret(
      options.clientSecretStdin === true,
      `Secret of client ${options.clientId}: `,
      undefined,
      "the secret with --client-secret-stdin",
    );
    return { kind: "client", clientId: options.clientId, clientSecret };
  }
  if (options.clientSecretStdin === true) {
    throw usageError("--client-secret-stdin goes with --client-id");
  }
  const username = options.username ?? (await readAnswer("Username: ", "--username"));
  if (username === "") {
    throw usageError("a username is required");
  }
  const password = await readSecret(options.passwordStdin === true, `Password for ${username}: `);
  return { kind: "user", username, password };
}

/** What `login` and `whoami` print of a caller. */
function callerLines(server: string, me: AdminCallerView): string[] {
  const who = me.user === null ? `client ${me.client?.id ?? "?"}` : `user ${me.user.name}`;
  const reach = me.platform ? "every tenant (platform admin)" : `tenant ${me.tenant_id}`;
  return [`${server}: ${who}, ${me.access} access to ${reach}`];
}

/** `tessera login`, `tessera logout`, `tessera whoami`. */
export function registerLoginCommands(program: Command): void {
  program
    .command("login")
    .description("sign in to a running server; management commands then act on it")
    .option("--server <url>", "the server (default: TESSERA_SERVER)")
    .option("--tenant <id>", "the tenant to sign in to (default: the server's default tenant)")
    .option("--username <name>", "an admin user (asked for when not given)")
    .option("--password-stdin", "read the password from stdin")
    .option("--client-id <id>", "sign in as a client with admin:read or admin:write instead")
    .option("--client-secret-stdin", "read the client's secret from stdin")
    .option("--allow-http", "allow a plain http:// server that is not on this machine")
    .option("--json", "print JSON")
    .action(async (options: LoginOptions) => {
      const server = serverOf(options);
      if (server === undefined) {
        throw usageError("give the server to sign in to with --server URL (or TESSERA_SERVER)");
      }
      if (new URL(server).protocol === "http:" && !isLoopback(server)) {
        if (options.allowHttp !== true) {
          throw usageError(
            `${server} is plain http: the password and every token would cross the network unencrypted; use https://, or --allow-http on a network you trust`,
          );
        }
        printError([`WARNING: ${server} is plain http: credentials cross the network unencrypted`]);
      }
      const credentials = await credentialsOf(options);
      const answer = await signIn(server, options.tenant, credentials).catch((error: unknown) => {
        throw error instanceof OAuthRefusal
          ? new CliError("not_logged_in", `Login to ${server} failed: ${error.message}`)
          : error;
      });
      const store = CredentialStore.of(process.env);
      const login: StoredLogin = {
        server,
        tenant: options.tenant ?? "",
        kind: credentials.kind,
        principal: credentials.kind === "user" ? credentials.username : credentials.clientId,
        clientId: credentials.kind === "user" ? CLI_CLIENT_ID : credentials.clientId,
        accessToken: answer.accessToken,
        expiresAt: answer.expiresAt,
        refreshToken: answer.refreshToken,
        clientSecret: credentials.kind === "client" ? credentials.clientSecret : null,
      };
      // Asked before anything is stored: a user who is no admin is told so now, not at the next command.
      const probe = new AdminClient(login, store);
      const me = await probe
        .get<AdminCallerView>("/me")
        .then((reply) => reply.body)
        .catch(async (error: unknown) => {
          await revoke(probe.login);
          throw error;
        });
      const previous = store.get(server);
      const saved = { ...probe.login, tenant: me.tenant_id };
      store.save(saved, { current: true });
      if (previous !== undefined) {
        await revoke(previous);
      }
      const out = output(options.json === true);
      out.print(
        {
          ...viewDeployment({ kind: "remote", login: saved, store }),
          access: me.access,
          platform: me.platform,
          credentials: store.path,
        },
        () => [
          `Logged in to ${callerLines(server, me)[0]}`,
          `Credentials kept in ${tilde(store.path)}`,
        ],
      );
    });

  program
    .command("logout")
    .description("end the login's session on the server and forget it")
    .option("--server <url>", "the server (default: TESSERA_SERVER, else the latest login)")
    .option("--json", "print JSON")
    .action(async (options: CommonOptions) => {
      const store = CredentialStore.of(process.env);
      const server = serverOf(options);
      const login = server === undefined ? store.current() : store.get(server);
      const out = output(options.json === true);
      if (login === undefined) {
        out.print({ server: server ?? null, loggedOut: false }, () => [
          server === undefined ? "Not logged in anywhere" : `Not logged in to ${server}`,
        ]);
        return;
      }
      const ended = await revoke(login);
      store.forget(login.server);
      out.print({ server: login.server, loggedOut: true, sessionEnded: ended }, () => [
        ended
          ? `Logged out of ${login.server}; its session is ended`
          : `Forgot the login to ${login.server} (the server could not be told; its session ends on its own)`,
      ]);
    });

  program
    .command("whoami")
    .description("say which deployment commands act on, and as whom")
    .option("--server <url>", "the server (default: TESSERA_SERVER, else the latest login)")
    .option("--json", "print JSON")
    .action(async (options: CommonOptions) => {
      const deployment = resolveDeployment(options);
      const out = output(options.json === true);
      if (deployment.kind === "local") {
        const view = viewDeployment(deployment);
        out.print({ deployment: view }, () => [
          `Local deployment: ${"database" in view ? view.database : ""} (no login; commands open it directly)`,
        ]);
        return;
      }
      const admin = new AdminClient(deployment.login, deployment.store);
      const me = (await admin.get<AdminCallerView>("/me")).body;
      out.print(
        {
          deployment: viewDeployment(deployment),
          access: me.access,
          platform: me.platform,
          user: me.user,
          client: me.client,
        },
        () => callerLines(deployment.login.server, me),
      );
    });
}
