/**
 * `tessera login`, `whoami`, `logout` and the user commands in remote mode,
 * run as an operator runs them: the built `tessera` against a running
 * server, from a directory with no data dir, its login in a settings dir of
 * its own. What each remote command did is checked through local mode on
 * the server's data dir.
 */
import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/processes.js";
import { REMOTE_ADMIN_PASSWORD, type RemoteCli, startRemoteCli } from "../support/remote-cli.js";

let cli: RemoteCli;

beforeAll(async () => {
  cli = await startRemoteCli();
});
afterAll(async () => {
  await cli.stop();
});

interface StoredFile {
  current: string | null;
  logins: Record<string, { refreshToken: string | null; expiresAt: number; accessToken: string }>;
}

const credentialsOf = (dir: string) => join(dir, "credentials.json");
const readStored = (dir: string) =>
  JSON.parse(readFileSync(credentialsOf(dir), "utf8")) as StoredFile;

/** A settings dir of its own, and a command line runner using it (no data dir anywhere). */
function freshLogin(): {
  dir: string;
  run: (args: string[], input?: string) => ReturnType<typeof runCli>;
} {
  const dir = mkdtempSync(join(tmpdir(), "tessera-login-"));
  const cwd = mkdtempSync(join(tmpdir(), "tessera-login-cwd-"));
  return { dir, run: (args, input) => runCli(args, { TESSERA_CONFIG_DIR: dir }, input, { cwd }) };
}

const without = <T extends object>(value: T, ...names: string[]) =>
  Object.fromEntries(Object.entries(value).filter(([name]) => !names.includes(name)));

describe("login", () => {
  it("keeps the login in a file only its owner can read, in a directory only its owner can enter", () => {
    const file = credentialsOf(cli.configDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(cli.configDir).mode & 0o077).toBe(0);
    expect(readStored(cli.configDir).current).toBe(cli.server.url);
    // The password is never stored; only what renews the login.
    expect(readFileSync(file, "utf8")).not.toContain(REMOTE_ADMIN_PASSWORD);
  });

  it("says who is logged in, where, with what access (whoami)", () => {
    const result = cli.run(["whoami"]);
    expect(result).toMatchObject({ status: 0, stderr: "" });
    expect(result.stdout).toBe(
      `${cli.server.url}: user root, write access to every tenant (platform admin)\n`,
    );
    expect(cli.json(["whoami"])).toMatchObject({
      deployment: { server: cli.server.url, tenant: "default", as: { kind: "user", name: "root" } },
      access: "write",
      platform: true,
      user: { name: "root" },
      client: { id: "tessera-cli" },
    });
  });

  it("fails in one line for a wrong password and for an unknown user alike, and stores nothing", () => {
    const { dir, run } = freshLogin();
    const args = ["login", "--server", cli.server.url, "--password-stdin"];
    const wrong = run([...args, "--username", "root"], "not the password\n");
    const unknown = run([...args, "--username", "nobody"], "not the password\n");
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^tessera: Login to http:\/\/127\.0\.0\.1:\d+ failed: .+\n$/);
    expect(unknown).toEqual(wrong);
    expect(() => statSync(credentialsOf(dir))).toThrow();
  });

  it("refuses a user who is no admin as it refuses a wrong password, storing nothing", () => {
    cli.local(["user", "add", "carol", "--password-stdin"], "carol-password-1\n");
    const { dir, run } = freshLogin();
    const args = ["login", "--server", cli.server.url, "--username", "carol", "--password-stdin"];
    const right = run(args, "carol-password-1\n");
    const wrong = run(args, "not carol's password\n");
    expect(right.status).toBe(1);
    expect(right).toEqual(wrong);
    expect(() => statSync(credentialsOf(dir))).toThrow();
  });

  it("signs a client in by its id and secret, with the access its scopes give", () => {
    const bot = cli.localJson<{ id: string; clientSecret: string }>([
      "client",
      "add",
      "ops-reader",
      "--scopes",
      "admin:read",
    ]);
    const { run } = freshLogin();
    const login = run(
      [
        "login",
        "--server",
        cli.server.url,
        "--client-id",
        bot.id,
        "--client-secret-stdin",
        "--json",
      ],
      `${bot.clientSecret}\n`,
    );
    expect(login.status, login.stderr).toBe(0);
    expect(JSON.parse(login.stdout)).toMatchObject({
      server: cli.server.url,
      as: { kind: "client", name: bot.id },
      access: "read",
    });
    expect(run(["user", "list", "--json"]).status).toBe(0);
    const write = run(["user", "add", "nope", "--password-stdin"], "some-password-1\n");
    expect(write).toMatchObject({ status: 1, stdout: "" });
    expect(write.stderr).toBe("tessera: Changes need admin:write\n");
  });

  it("names the flags to use when there is no terminal to ask at", () => {
    const { run } = freshLogin();
    expect(run(["login", "--server", cli.server.url]).stderr).toBe(
      "tessera: stdin is not a terminal to ask at: pass --username\n",
    );
    expect(run(["login"]).stderr).toBe(
      "tessera: give the server to sign in to with --server URL (or TESSERA_SERVER)\n",
    );
    expect(run(["login", "--server", "ftp://example.test"]).stderr).toBe(
      "tessera: --server must be an http:// or https:// URL\n",
    );
    // Refused before anything is asked or sent.
    expect(
      run(["login", "--server", "http://auth.example.test", "--username", "root"]).stderr,
    ).toBe(
      "tessera: http://auth.example.test is plain http: the password and every token would cross the network unencrypted; use https://, or --allow-http on a network you trust\n",
    );
  });
});

describe("which deployment a command acts on", () => {
  it("acts on the data dir given with --data-dir, whatever login is stored", () => {
    const local = runCli(["user", "list", "--json", "--data-dir", cli.dataDir], cli.env);
    expect(local.status, local.stderr).toBe(0);
    const remote = cli.json<unknown[]>(["user", "list"]);
    expect(JSON.parse(local.stdout)).toEqual(remote);
  });

  it("refuses --server and --data-dir together, and a server it has no login for", () => {
    expect(
      cli.run(["user", "list", "--server", cli.server.url, "--data-dir", cli.dataDir]).stderr,
    ).toBe("tessera: give --server or --data-dir, not both\n");
    const other = "http://127.0.0.1:9";
    expect(cli.run(["user", "list", "--server", other])).toMatchObject({
      status: 1,
      stderr: `tessera: Not logged in to ${other}: run tessera login --server ${other}\n`,
    });
    const env = runCli(["user", "list"], { ...cli.env, TESSERA_SERVER: other });
    expect(env.stderr).toBe(
      `tessera: Not logged in to ${other}: run tessera login --server ${other}\n`,
    );
  });

  it("creates a deployment with init on the local data dir named, logged in or not", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "tessera-init-")), "data");
    const init = runCli(["init", "--json", "--data-dir", dir], cli.env);
    expect(init.status, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout)).toMatchObject({ dataDir: dir, tenantCreated: true });
  });

  it("puts the server, tenant and login in every --json document", () => {
    const added = cli.json<Record<string, unknown>>(
      ["user", "add", "dora", "--password-stdin"],
      "dora-password-1\n",
    );
    expect(added.deployment).toEqual({
      server: cli.server.url,
      tenant: "default",
      as: { kind: "user", name: "root" },
    });
  });
});

describe("users, remotely", () => {
  it("adds, lists, changes and removes a user through the admin API, as local mode shows them", () => {
    const added = cli.json<Record<string, unknown>>(
      ["user", "add", "erin", "--password-stdin", "--permission", "deploy:write"],
      "erin-password-1\n",
    );
    expect(added).toMatchObject({
      username: "erin",
      status: "active",
      permissions: ["deploy:write"],
    });
    const listed = cli.json<Record<string, unknown>[]>(["user", "list"]);
    expect(listed).toEqual(cli.localJson(["user", "list"]));
    expect(listed.find((u) => u.username === "erin")).toEqual(without(added, "deployment"));

    expect(cli.json(["user", "grant", "erin", "reports:read"])).toMatchObject({
      permissions: ["deploy:write", "reports:read"],
    });
    expect(cli.json(["user", "revoke", "erin", "deploy:write"])).toMatchObject({
      permissions: ["reports:read"],
    });
    expect(cli.json(["user", "disable", "erin"])).toMatchObject({ status: "disabled" });
    expect(cli.json(["user", "enable", "erin"])).toMatchObject({ status: "active" });
    const role = cli.json<{ roleId: string; permissions: string[] }>([
      "user",
      "set-role",
      "erin",
      "super_user",
    ]);
    expect(role.permissions).toContain("admin");
    expect(cli.json(["user", "set-role", "erin"])).toMatchObject({ roleId: null });
    expect(
      cli.run(["user", "set-password", "erin", "--password-stdin"], "erin-password-2\n"),
    ).toMatchObject({
      status: 0,
      stdout: "password changed for erin; sessions ended\n",
    });
    const local = cli.localJson<Record<string, unknown>[]>(["user", "list"]);
    expect(local.find((u) => u.username === "erin")).toMatchObject({
      status: "active",
      permissions: ["reports:read"],
      roleId: null,
    });
    expect(cli.json(["user", "remove", "erin", "--yes"])).toMatchObject({
      username: "erin",
      removed: true,
    });
    expect(
      cli.localJson<{ username: string }[]>(["user", "list"]).map((u) => u.username),
    ).not.toContain("erin");
  });

  it("fails on an unknown user with the words local mode uses", () => {
    for (const args of [
      ["user", "remove", "nobody", "--yes"],
      ["user", "disable", "nobody"],
      ["user", "grant", "nobody", "x:y"],
    ]) {
      const remote = cli.run(args);
      expect(remote).toEqual({ status: 1, stdout: "", stderr: "tessera: No user nobody\n" });
      expect(cli.local(args)).toEqual(remote);
    }
  });

  it("refuses a username local mode refuses, with the server's words", () => {
    const result = cli.run(
      ["user", "add", "bad\u001bname", "--password-stdin"],
      "some-password-1\n",
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^tessera: .+\n$/);
    expect(result.stderr).not.toContain("\u001b");
  });
});

describe("the stored login over time", () => {
  it("renews an access token that has ended, keeping the renewed login", () => {
    const file = credentialsOf(cli.configDir);
    const stored = readStored(cli.configDir);
    const login = stored.logins[cli.server.url];
    if (login === undefined) {
      throw new Error("no stored login");
    }
    login.expiresAt = 0;
    writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
    expect(cli.run(["whoami"]).status).toBe(0);
    const renewed = readStored(cli.configDir).logins[cli.server.url];
    expect(renewed?.expiresAt).toBeGreaterThan(Date.now());
    expect(renewed?.accessToken).not.toBe(login.accessToken);
  });

  it("refuses a credentials file that others can read", () => {
    const file = credentialsOf(cli.configDir);
    chmodSync(file, 0o644);
    try {
      expect(cli.run(["whoami"])).toEqual({
        status: 1,
        stdout: "",
        stderr: `tessera: ${file} is readable by other users: run chmod 600 ${file}, or tessera login again\n`,
      });
    } finally {
      chmodSync(file, 0o600);
    }
  });

  it("refuses a credentials file that is a link", () => {
    const { dir, run } = freshLogin();
    symlinkSync(credentialsOf(cli.configDir), credentialsOf(dir));
    expect(run(["whoami"]).stderr).toBe(
      `tessera: ${credentialsOf(dir)} is not a plain file: remove it and tessera login again\n`,
    );
  });

  it("says the login has ended once its session is revoked, and keeps it until logout", () => {
    const { dir, run } = freshLogin();
    cli.local(["user", "add", "fay", "--admin", "--password-stdin"], "fay-password-1\n");
    const login = run(
      ["login", "--server", cli.server.url, "--username", "fay", "--password-stdin"],
      "fay-password-1\n",
    );
    expect(login.status, login.stderr).toBe(0);
    expect(cli.local(["sessions", "revoke", "--user", "fay"]).status).toBe(0);
    const after = run(["user", "list"]);
    expect(after.status).toBe(1);
    expect(after.stderr).toMatch(
      new RegExp(
        `^tessera: Your login to ${cli.server.url.replaceAll(".", "\\.")} has ended \\(.+\\): run tessera login --server ${cli.server.url.replaceAll(".", "\\.")}\\n$`,
      ),
    );
    expect(readStored(dir).current).toBe(cli.server.url);
  });

  it("logs out: the session ends on the server, the login is forgotten, commands act locally again", async () => {
    const { dir, run } = freshLogin();
    expect(
      run(
        ["login", "--server", cli.server.url, "--username", "root", "--password-stdin"],
        `${REMOTE_ADMIN_PASSWORD}\n`,
      ).status,
    ).toBe(0);
    const refreshToken = readStored(dir).logins[cli.server.url]?.refreshToken ?? "";
    expect(refreshToken).not.toBe("");
    expect(run(["logout"])).toEqual({
      status: 0,
      stdout: `Logged out of ${cli.server.url}; its session is ended\n`,
      stderr: "",
    });
    expect(readStored(dir)).toEqual({ version: 1, current: null, logins: {} });
    const refresh = await fetch(`${cli.server.url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        client_id: "tessera-cli",
        refresh_token: refreshToken,
      }),
    });
    expect(refresh.status).toBe(400);
    // No login and no data dir where it runs: local mode, which finds nothing and creates nothing.
    expect(run(["user", "list"]).stderr).toMatch(
      /^tessera: No data dir at .+ \(nothing was created\)/,
    );
    expect(run(["logout"]).stdout).toBe("Not logged in anywhere\n");
  });
});
