/**
 * Roles, removing users, and sessions by name, run as an operator runs them:
 * the built `tessera` on the data dir of a running server, whose answers
 * show what each change did.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type ServerProcess, startServerProcess } from "../support/processes.js";

const PASSWORD = "alice-password-1";
const DOG_READER = {
  dev: { tables: { dog: { read: true, insert: false, update: false, delete: false } } },
};
let dataDir: string;
let env: Record<string, string>;
let server: ServerProcess;
let apiKey: string;
let clientName: string;

function cliJson<T>(args: string[], input?: string): T {
  const result = runCli([...args, "--json"], env, input);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/** A command that must fail: exit 1, nothing on stdout, this one line on stderr. */
function failure(args: string[], line: string): void {
  expect(runCli(args, env)).toEqual({ status: 1, stdout: "", stderr: `tessera: ${line}\n` });
}

async function login(): Promise<{ status: number; refreshToken: string }> {
  const response = await fetch(`${server.url}/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify({ username: "alice", password: PASSWORD }),
  });
  const body = (await response.json()) as { session?: { refreshToken: string } };
  return { status: response.status, refreshToken: body.session?.refreshToken ?? "" };
}

async function refresh(refreshToken: string): Promise<number> {
  const response = await fetch(`${server.url}/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify({ session: { refreshToken } }),
  });
  return response.status;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tessera-e2e-roles-"));
  env = { TESSERA_DATA_DIR: dataDir };
  server = await startServerProcess(env);
  const key = cliJson<{ key: string; clientName: string }>(["apikey", "create", "--name", "web"]);
  apiKey = key.key;
  clientName = key.clientName;
  cliJson(["user", "add", "alice", "--password-stdin"], `${PASSWORD}\n`);
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("tessera role", () => {
  it("adds roles from HarperDB's permission object or --super-user, and lists them", () => {
    const readers = cliJson<{ name: string; permission: unknown; permissions: string[] }>([
      "role",
      "add",
      "dog-readers",
      "--permission-json",
      JSON.stringify(DOG_READER),
    ]);
    expect(readers).toMatchObject({ name: "dog-readers", permission: DOG_READER, permissions: [] });
    const ops = runCli(["role", "add", "ops", "--super-user"], env);
    expect(ops.stdout).toMatch(
      /^role ops \(\S+\)\n {2}permission {3}\{"super_user":true\}\n {2}grants {7}admin\n$/,
    );
    const listed = runCli(["role", "list"], env).stdout.split("\n");
    expect(listed[0]).toMatch(/^NAME\s+ID\s+USERS\s+GRANTS\s+PERMISSION$/);
    expect(listed.find((l) => l.startsWith("ops "))).toMatch(
      /\s0\s+admin\s+\{"super_user":true\}$/,
    );
  });

  it("refuses a permission object that is not HarperDB's shape, in one line, adding nothing", () => {
    failure(
      ["role", "add", "bad", "--permission-json", '{"super_user":"yes"}'],
      "'super_user' must be a boolean",
    );
    failure(
      ["role", "add", "bad", "--permission-json", "[1]"],
      "--permission-json must be a JSON object (HarperDB's permission object)",
    );
    failure(
      ["role", "add", "bad", "--super-user", "--permission-json", JSON.stringify(DOG_READER)],
      "A super_user role may not have other permissions set",
    );
    failure(["role", "add", "ops"], "Role ops already exists");
    failure(
      ["role", "update", "ops"],
      "nothing to change: give --name, --super-user, --no-super-user, --permission-json or --permission-file",
    );
    const names = cliJson<{ name: string }[]>(["role", "list"]).map((r) => r.name);
    expect(names.sort()).toEqual(["dog-readers", "ops", "super_user"]);
  });

  it("gives a user a role's grants, changes them with update, and removes only a role no one holds", () => {
    cliJson(["user", "set-role", "alice", "ops"]);
    expect(runCli(["user", "list"], env).stdout).toMatch(/\nalice\s+\S+\s+active\s+ops\s+admin\s/);
    expect(
      cliJson<{ name: string; users: number }[]>(["role", "list"]).find((r) => r.name === "ops"),
    ).toMatchObject({ users: 1 });
    failure(["role", "remove", "ops"], "The role ops is held by at least one user");

    const renamed = cliJson<{ name: string; permission: unknown; permissions: string[] }>([
      "role",
      "update",
      "ops",
      "--name",
      "operators",
      "--no-super-user",
    ]);
    expect(renamed).toMatchObject({
      name: "operators",
      permission: { super_user: false },
      permissions: [],
    });
    const [alice] = cliJson<{ permissions: string[] }[]>(["user", "list"]);
    expect(alice?.permissions).toEqual([]);

    const removed = cliJson<{ name: string; removed: boolean }>(["role", "remove", "dog-readers"]);
    expect(removed).toMatchObject({ name: "dog-readers", removed: true });
    failure(["role", "remove", "dog-readers"], "Role 'dog-readers' not found");
  });
});

describe("tessera sessions list", () => {
  it("shows the user's and the client's names for people, and their ids in --json", async () => {
    const session = await login();
    expect(session.status).toBe(200);
    const [json] = cliJson<Record<string, unknown>[]>(["sessions", "list"]);
    expect(json).toMatchObject({
      userId: expect.any(String),
      username: "alice",
      clientId: expect.any(String),
      clientName,
    });
    const text = runCli(["sessions", "list"], env).stdout.split("\n");
    expect(text[0]).toMatch(/^ID\s+USER\s+CLIENT\s+CREATED\s+EXPIRES\s+REVOKED\s+IMPERSONATOR$/);
    expect(text[1]).toMatch(new RegExp(`^${json?.id}\\s+alice\\s+${clientName}\\s`));
    expect(text.join("\n")).not.toContain(String(json?.userId));
    expect(text.join("\n")).not.toContain(String(json?.clientId));
  });
});

describe("tessera user remove", () => {
  it("refuses without --yes where it cannot ask, then removes the user and ends their sessions", async () => {
    const session = await login();
    failure(
      ["user", "remove", "alice"],
      "user alice was not removed: stdin is not a terminal to confirm at; pass --yes",
    );
    expect(await refresh(session.refreshToken)).toBe(200);

    const removed = cliJson<{ username: string; removed: boolean }>([
      "user",
      "remove",
      "alice",
      "--yes",
    ]);
    expect(removed).toMatchObject({ username: "alice", removed: true });
    expect(await refresh(session.refreshToken)).toBe(401);
    expect((await login()).status).toBe(401);
    expect(cliJson<unknown[]>(["sessions", "list"])).toEqual([]);
    failure(["user", "remove", "alice", "--yes"], "No user alice");
  });
});
