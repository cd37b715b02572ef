/**
 * The CLI's own conventions, run as an operator runs them (the built
 * `tessera`): its version, help for any command, failures as JSON with
 * `--json`, option errors in the option's own name, `serve --port --host`
 * and a taken port, and shell completion generated from the command tree.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../support/oauth.js";
import { runCli, startServerProcess } from "../support/processes.js";

let dataDir: string;
let env: Record<string, string>;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "tessera-e2e-usage-"));
  env = { TESSERA_DATA_DIR: dataDir };
  expect(runCli(["init"], env).status).toBe(0);
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe("version and help", () => {
  it("prints the package's version with --version and -V", () => {
    const manifest = JSON.parse(
      readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
    ) as { version: string };
    for (const flag of ["--version", "-V"]) {
      expect(runCli([flag], {})).toEqual({
        status: 0,
        stdout: `${manifest.version}\n`,
        stderr: "",
      });
    }
  });

  it("shows a subcommand's own help with tessera help <group> <command>", () => {
    const help = runCli(["help", "user", "add"], {});
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tessera user add \[options\] <username>\n/);
    expect(help.stdout).toContain("--password-stdin");
    expect(help.stdout).toBe(runCli(["user", "add", "--help"], {}).stdout);
    expect(runCli(["help", "role"], {}).stdout).toMatch(/^Usage: tessera role /);
    expect(runCli(["help", "user", "nosuch"], {})).toEqual({
      status: 1,
      stdout: "",
      stderr: "tessera: unknown command 'user nosuch'\n",
    });
  });
});

describe("failures with --json", () => {
  it("are one JSON document on standard output, with a code, and a non-zero exit", () => {
    const cases: [string[], string, string][] = [
      [["user", "list", "--nope", "--json"], "usage", "unknown option '--nope'"],
      [["user", "disable", "nobody", "--json"], "not_found", "No user nobody"],
      [
        ["sessions", "list", "--limit", "0", "--json"],
        "usage",
        "--limit must be a whole number from 1 to 10000",
      ],
    ];
    for (const [args, code, message] of cases) {
      const result = runCli(args, env);
      expect([result.status, JSON.parse(result.stdout), result.stderr], args.join(" ")).toEqual([
        1,
        { error: { code, message } },
        "",
      ]);
    }
  });
});

describe("option errors", () => {
  it("name the option as typed, never the setting behind it", () => {
    const result = runCli(
      ["tenant", "update", "default", "--access-ttl", "10", "--refresh-policy", "sometimes"],
      env,
    );
    expect([result.status, result.stderr]).toEqual([
      1,
      "tessera: --access-ttl must be a whole number from 60 to 86400; --refresh-policy must be one of none, rotate\n",
    ]);
    const created = runCli(["tenant", "create", "acme", "--refresh-grace-seconds", "500"], env);
    expect(created.stderr).toBe(
      "tessera: --refresh-grace-seconds must be a whole number from 0 to 120\n",
    );
    expect(JSON.parse(runCli(["tenant", "list", "--json"], env).stdout)).toHaveLength(1);
  });
});

describe("serve --port --host", () => {
  it("listens where the options say, over TESSERA_PORT, and says so plainly when the port is taken", async () => {
    const port = await freePort();
    const server = await startServerProcess(env, {
      args: ["--port", String(port), "--host", "127.0.0.1"],
    });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${port}`);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      const taken = runCli(["serve", "--port", String(port)], {
        ...env,
        TESSERA_LOG_LEVEL: "silent",
      });
      expect(taken.status).toBe(1);
      expect(taken.stderr.trimEnd().split("\n").at(-1)).toBe(
        `tessera: Cannot listen on 127.0.0.1:${port}: the port is already in use; stop what listens there, or choose another port with --port or TESSERA_PORT`,
      );
      expect(taken.stderr).not.toContain("EADDRINUSE");
    } finally {
      await server.stop();
    }
    for (const bad of ["http", "65536", "-1"]) {
      expect(runCli(["serve", "--port", bad], env).stderr).toBe(
        "tessera: --port must be a whole number from 0 to 65535\n",
      );
    }
  });
});

describe("tessera completion", () => {
  /** Runs the bash script and completes `line` (the word being typed last). */
  function completeInBash(script: string, words: string[]): string[] {
    const file = join(dataDir, "completion.bash");
    writeFileSync(file, script);
    const array = words.map((w) => `'${w}'`).join(" ");
    const run = spawnSync(
      "bash",
      [
        "--noprofile",
        "--norc",
        "-c",
        `source '${file}'; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _tessera; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { encoding: "utf8" },
    );
    expect(run.status, run.stderr).toBe(0);
    return run.stdout.split("\n").filter(Boolean);
  }

  it("writes a valid bash script that completes commands and options from the tree", () => {
    const result = runCli(["completion", "bash"], {});
    expect(result.status).toBe(0);
    const syntax = spawnSync("bash", ["-n"], { input: result.stdout, encoding: "utf8" });
    expect(syntax.status, syntax.stderr).toBe(0);
    expect(result.stdout).toContain("complete -o default -F _tessera tessera tessera-auth");
    const top = completeInBash(result.stdout, ["tessera", ""]);
    for (const command of [
      "init",
      "serve",
      "login",
      "logout",
      "whoami",
      "user",
      "role",
      "client",
      "completion",
      "--version",
    ]) {
      expect(top).toContain(command);
    }
    expect(completeInBash(result.stdout, ["tessera", "role", ""])).toEqual([
      "add",
      "list",
      "update",
      "remove",
      "--help",
    ]);
    expect(completeInBash(result.stdout, ["tessera", "user", "remove", "bob", "--"])).toEqual([
      "--yes",
      "--tenant",
      "--json",
      "--data-dir",
      "--server",
      "--help",
    ]);
    // After an option that takes a value, the shell completes file names instead.
    expect(completeInBash(result.stdout, ["tessera", "user", "list", "--data-dir", ""])).toEqual(
      [],
    );
    expect(completeInBash(result.stdout, ["tessera", "help", "user", "se"])).toEqual([
      "set-password",
      "set-role",
    ]);
  });

  it("writes a zsh script for the same tree", () => {
    const result = runCli(["completion", "zsh"], {});
    expect(result.status).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe("#compdef tessera tessera-auth");
    expect(result.stdout).toContain("'role add') entries=('--super-user:");
    expect(result.stdout).toContain("compdef _tessera tessera tessera-auth");
    const zsh = spawnSync("zsh", ["-n"], { input: result.stdout, encoding: "utf8" });
    // Checked where zsh is installed; the script is plain POSIX-style otherwise.
    if (zsh.error === undefined) {
      expect(zsh.status, zsh.stderr).toBe(0);
    }
  });

  it("refuses a shell it has no script for", () => {
    const result = runCli(["completion", "fish"], {});
    expect(result.status).toBe(1);
    expect(result.stderr.split("\n")[0]).toBe(
      "error: command-argument value 'fish' is invalid for argument 'shell'. Allowed choices are bash, zsh.",
    );
  });
});
