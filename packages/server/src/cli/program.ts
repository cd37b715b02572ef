import { readFileSync } from "node:fs";
import { Argument, Command } from "commander";
import { registerApiKeyCommands } from "./commands/apikey.js";
import { registerAuditCommands } from "./commands/audit.js";
import { registerClientCommands } from "./commands/client.js";
import { registerKeyCommands } from "./commands/keys.js";
import { registerLoginCommands } from "./commands/login.js";
import { registerPurgeCommand } from "./commands/purge.js";
import { registerRoleCommands } from "./commands/role.js";
import { registerServerCommands } from "./commands/server.js";
import { registerSessionCommands } from "./commands/sessions.js";
import { registerTenantCommands } from "./commands/tenant.js";
import { registerTokenCommands } from "./commands/tokens.js";
import { registerUserCommands } from "./commands/user.js";
import { COMPLETION_SHELLS, type CompletionShell, completionScript } from "./completion.js";
import { usageError } from "./errors.js";

/** This package's version, as `tessera --version` prints it. */
export function packageVersion(): string {
  // From src/cli and from dist/cli alike, the package's own package.json.
  const manifest: unknown = JSON.parse(
    readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
  );
  const version = (manifest as { version?: unknown }).version;
  return typeof version === "string" ? version : "unknown";
}

const DATA_DIR_HELP = "the data dir to act on (default: TESSERA_DATA_DIR, else ./data)";
const SERVER_HELP =
  "the server to act on, through its admin API (default: TESSERA_SERVER, else the latest tessera login)";

/** The commands that act on a local deployment only, or name their server themselves. */
const LOCAL_OR_OWN_SERVER = new Set(["init", "serve", "migrate", "login", "logout", "whoami"]);

/** Every command that runs something (a leaf of the tree), below `command`. */
function leaves(command: Command): Command[] {
  return command.commands.length === 0 ? [command] : command.commands.flatMap((sub) => leaves(sub));
}

/**
 * `tessera help [command...]`: the help of any command, however deep
 * (`tessera help user add`), where commander's own goes one level only.
 */
function registerHelpCommand(program: Command): void {
  program.helpCommand(false);
  program
    .command("help [command...]")
    .description("show the help of a command (tessera help user add)")
    .action((names: string[]) => {
      let target = program;
      for (const [i, name] of names.entries()) {
        const next = target.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (next === undefined) {
          throw usageError(`unknown command '${names.slice(0, i + 1).join(" ")}'`);
        }
        target = next;
      }
      target.outputHelp();
    });
}

/** `tessera completion bash|zsh`: a script generated from this very tree. */
function registerCompletionCommand(program: Command): void {
  program
    .command("completion")
    .description("print a shell completion script: source <(tessera completion bash)")
    .addArgument(new Argument("<shell>", "the shell").choices(COMPLETION_SHELLS))
    .action((shell: CompletionShell) => {
      process.stdout.write(completionScript(program, shell));
    });
}

/** How {@link buildProgram} reports usage mistakes. */
export interface ProgramOptions {
  /**
   * `--json` was given: commander prints nothing itself (no error line, no
   * help), so the caller can print the failure as JSON.
   */
  readonly quiet?: boolean;
}

/** Builds the `tessera` command tree. */
export function buildProgram({ quiet = false }: ProgramOptions = {}): Command {
  const program = new Command("tessera")
    .description("Tessera token authentication server")
    .version(packageVersion(), "-V, --version", "print the version")
    .option("--data-dir <dir>", DATA_DIR_HELP)
    .option("--server <url>", SERVER_HELP)
    .showHelpAfterError()
    .exitOverride();
  if (quiet) {
    program.configureOutput({ writeErr: () => {}, outputError: () => {} });
  }

  registerServerCommands(program);
  registerLoginCommands(program);
  registerTenantCommands(program);
  registerUserCommands(program);
  registerRoleCommands(program);
  registerApiKeyCommands(program);
  registerKeyCommands(program);
  registerSessionCommands(program);
  registerClientCommands(program);
  registerTokenCommands(program);
  registerAuditCommands(program);
  registerPurgeCommand(program);

  // Every command takes --data-dir where it is typed, after the command too
  // (commander reads the program's options only up to a command's own).
  for (const leaf of leaves(program)) {
    if (!["login", "logout"].includes(leaf.name())) {
      leaf.option("--data-dir <dir>", DATA_DIR_HELP);
    }
    if (!LOCAL_OR_OWN_SERVER.has(leaf.name())) {
      leaf.option("--server <url>", SERVER_HELP);
    }
  }
  program.hook("preAction", (_program, action) => {
    for (const name of ["dataDir", "server"]) {
      const given: unknown = program.getOptionValue(name);
      if (action.getOptionValue(name) === undefined && typeof given === "string") {
        if (!action.options.some((option) => option.attributeName() === name)) {
          throw usageError(
            `${action.name()} takes no --${name === "dataDir" ? "data-dir" : "server"}`,
          );
        }
        action.setOptionValue(name, given);
      }
    }
  });
  // Registered after: they act on no deployment, so take no --data-dir.
  registerHelpCommand(program);
  registerCompletionCommand(program);
  return program;
}
