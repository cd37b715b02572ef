/**
 * `tessera role`, `tenant`, `keys` and `purge` in remote mode: the built
 * CLI logged in to a running server acts through its admin API, prints
 * what local mode prints for the same deployment, and fails in the same
 * words; a read-only login is refused every change.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli } from "../support/processes.js";
import { REMOTE_ADMIN_PASSWORD, type RemoteCli, startRemoteCli } from "../support/remote-cli.js";

const DOG_READER = {
  dev: { tables: { dog: { read: true, insert: false, update: false, delete: false } } },
};
/** The server's own retention, which a remote purge without --retention-days must report. */
const SERVER_RETENTION_DAYS = 3;

interface RoleJson {
  readonly id: string;
  readonly name: string;
  readonly permission: Record<string, unknown>;
  readonly permissions: string[];
  readonly users?: number;
  readonly deployment?: unknown;
}

interface TenantJson {
  readonly id: string;
  readonly displayName: string;
  readonly refreshPolicy: string;
  readonly oauthPasswordGrant: boolean;
  readonly signingKeyRotationDays: number;
  readonly accessTokenTtlSeconds: number;
  readonly updatedAt: string;
}

interface KeyJson {
  readonly kid: string;
  readonly status: string;
  readonly algorithm: string;
  readonly activatedAt: string | null;
  readonly rotatesAt: string | null;
}

let cli: RemoteCli;
/** Runs a command logged in (in a settings dir of its own) as a client with admin:read only. */
let readOnly: (args: string[]) => CliResult;

/** A `--json` document without the `deployment` field, which names where each mode acted. */
function withoutDeployment<T extends object>(doc: T): Omit<T, "deployment"> {
  const { deployment: _, ...rest } = doc as T & { deployment?: unknown };
  return rest;
}

/** The command fails in both modes with exactly this one line. */
function failsAlike(args: string[], line: string): void {
  const expected = { status: 1, stdout: "", stderr: `tessera: ${line}\n` };
  expect(cli.run(args), "remote").toEqual(expected);
  expect(cli.local(args), "local").toEqual(expected);
}

/** A change the read-only login may not make: refused in one line, nothing done. */
function refusedToReader(args: string[]): void {
  expect(readOnly(args)).toEqual({
    status: 1,
    stdout: "",
    stderr: "tessera: Changes need admin:write\n",
  });
}

beforeAll(async () => {
  cli = await startRemoteCli({ TESSERA_PURGE_RETENTION_DAYS: String(SERVER_RETENTION_DAYS) });
  const reader = cli.localJson<{ id: string; clientSecret: string }>([
    "client",
    "add",
    "remote-reader",
    "--scopes",
    "admin:read",
  ]);
  const env = { TESSERA_CONFIG_DIR: mkdtempSync(join(tmpdir(), "tessera-reader-config-")) };
  const cwd = mkdtempSync(join(tmpdir(), "tessera-reader-cwd-"));
  readOnly = (args) => runCli(args, env, undefined, { cwd });
  const login = runCli(
    ["login", "--server", cli.server.url, "--client-id", reader.id, "--client-secret-stdin"],
    env,
    `${reader.clientSecret}\n`,
    { cwd },
  );
  expect(login.status, login.stderr).toBe(0);
});

afterAll(async () => {
  await cli?.stop();
});

describe("role, remotely", () => {
  it("adds a role that local mode lists, shown as local mode shows one", () => {
    const added = cli.json<RoleJson>([
      "role",
      "add",
      "dog-readers",
      "--permission-json",
      JSON.stringify(DOG_READER),
    ]);
    expect(added).toMatchObject({
      name: "dog-readers",
      permission: DOG_READER,
      permissions: [],
      deployment: { server: cli.server.url },
    });
    const listed = cli.localJson<RoleJson[]>(["role", "list"]).find((r) => r.id === added.id);
    expect(listed).toEqual({ ...withoutDeployment(added), users: 0 });

    const localAdded = cli.localJson<RoleJson>(["role", "add", "local-admins", "--super-user"]);
    const remoteAdded = cli.json<RoleJson>(["role", "add", "remote-admins", "--super-user"]);
    expect(Object.keys(remoteAdded).sort()).toEqual(Object.keys(localAdded).sort());
    expect({ ...remoteAdded, id: "", name: "", createdAt: "", updatedAt: "" }).toMatchObject({
      ...localAdded,
      id: "",
      name: "",
      createdAt: "",
      updatedAt: "",
      deployment: expect.objectContaining({ server: cli.server.url }),
    });
  });

  it("lists roles with their member counts exactly as local mode does, as JSON and as a table", () => {
    cli.json(
      ["user", "add", "dog-walker", "--password-stdin", "--role", "dog-readers"],
      "walker-pw-1\n",
    );
    const remote = cli.json<RoleJson[]>(["role", "list"]);
    expect(remote).toEqual(cli.localJson(["role", "list"]));
    expect(remote.find((r) => r.name === "dog-readers")?.users).toBe(1);
    expect(remote.find((r) => r.name === "local-admins")?.users).toBe(0);
    const table = cli.run(["role", "list"]);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toBe(cli.local(["role", "list"]).stdout);
  });

  it("updates a role: --no-super-user edits the object as the server holds it", () => {
    const updated = cli.json<RoleJson>([
      "role",
      "update",
      "dog-readers",
      "--name",
      "dog-keepers",
      "--no-super-user",
    ]);
    expect(updated).toMatchObject({
      name: "dog-keepers",
      permission: { super_user: false, ...DOG_READER },
      permissions: [],
    });
    const listed = cli.localJson<RoleJson[]>(["role", "list"]).find((r) => r.id === updated.id);
    expect(listed).toEqual({ ...withoutDeployment(updated), users: 1 });
    // Found by id too, as locally.
    const admins = cli.json<RoleJson>([
      "role",
      "update",
      updated.id,
      "--permission-json",
      '{"super_user":true}',
    ]);
    expect(admins).toMatchObject({
      name: "dog-keepers",
      permission: { super_user: true },
      permissions: ["admin"],
    });
  });

  it("removes a role no user holds, and refuses one held, as local mode does", () => {
    failsAlike(
      ["role", "remove", "dog-keepers"],
      "The role dog-keepers is held by at least one user",
    );
    const removed = cli.json<RoleJson & { removed: boolean }>(["role", "remove", "remote-admins"]);
    expect(removed).toMatchObject({ name: "remote-admins", removed: true });
    expect(cli.localJson<RoleJson[]>(["role", "list"]).map((r) => r.name)).not.toContain(
      "remote-admins",
    );
  });

  it("fails on an unknown role, a bad option, or nothing to change with local mode's line", () => {
    failsAlike(["role", "remove", "nope"], "Role 'nope' not found");
    failsAlike(
      ["role", "update", "dog-keepers"],
      "nothing to change: give --name, --super-user, --no-super-user, --permission-json or --permission-file",
    );
    // The tenant is looked up before the options are read, in both modes.
    failsAlike(
      ["role", "add", "x", "--tenant", "nope", "--permission-json", "[]"],
      "No tenant nope",
    );
  });

  it("lets a read-only login list roles but not change them", () => {
    const listed = readOnly(["role", "list", "--json"]);
    expect(listed.status, listed.stderr).toBe(0);
    refusedToReader(["role", "add", "readers-role"]);
    refusedToReader(["role", "remove", "local-admins"]);
    // Nothing changed: local mode lists what the reader listed, local-admins still there.
    const roles = cli.localJson<RoleJson[]>(["role", "list"]);
    expect(JSON.parse(listed.stdout)).toEqual(roles);
    expect(roles.map((r) => r.name)).toContain("local-admins");
    expect(roles.map((r) => r.name)).not.toContain("readers-role");
  });
});

describe("tenant, remotely", () => {
  it("creates a tenant that local mode lists, shown as local mode shows one", () => {
    const created = cli.json<TenantJson>([
      "tenant",
      "create",
      "acme",
      "--display-name",
      "Acme",
      "--access-ttl",
      "600",
    ]);
    expect(created).toMatchObject({ id: "acme", displayName: "Acme", accessTokenTtlSeconds: 600 });
    const listed = cli.localJson<TenantJson[]>(["tenant", "list"]).find((t) => t.id === "acme");
    expect(listed).toEqual(withoutDeployment(created));
    const local = cli.localJson<TenantJson>(["tenant", "create", "local-co"]);
    expect(Object.keys(created).sort()).toEqual(Object.keys(local).sort());
  });

  it("lists tenants exactly as local mode does", () => {
    const remote = cli.json<TenantJson[]>(["tenant", "list"]);
    expect(remote.map((t) => t.id)).toEqual(["acme", "default", "local-co"]);
    expect(remote).toEqual(cli.localJson(["tenant", "list"]));
  });

  it("updates a tenant's settings, and with none given shows it unchanged", () => {
    const updated = cli.json<TenantJson>([
      "tenant",
      "update",
      "acme",
      "--refresh-policy",
      "rotate",
      "--oauth-password-grant",
      "on",
    ]);
    expect(updated).toMatchObject({
      id: "acme",
      refreshPolicy: "rotate",
      oauthPasswordGrant: true,
    });
    const listed = cli.localJson<TenantJson[]>(["tenant", "list"]).find((t) => t.id === "acme");
    expect(listed).toEqual(withoutDeployment(updated));
    expect(withoutDeployment(cli.json<TenantJson>(["tenant", "update", "acme"]))).toEqual(listed);
  });

  it("fails on an unknown or taken tenant, or a setting out of range, with local mode's line", () => {
    // Found before the options are checked, in both modes.
    failsAlike(["tenant", "update", "nope", "--access-ttl", "10"], "No tenant nope");
    failsAlike(["tenant", "create", "acme"], "Tenant acme already exists");
    failsAlike(
      ["tenant", "update", "acme", "--access-ttl", "10"],
      "--access-ttl must be a whole number from 60 to 86400",
    );
  });

  it("fails on a key rotation period out of range with local mode's line", () => {
    const line =
      "--key-rotation-days must be 0 (rotate only by hand) or a whole number of days from 1 to 3650";
    failsAlike(["tenant", "update", "acme", "--key-rotation-days", "3651"], line);
    failsAlike(["tenant", "create", "rot-co", "--key-rotation-days", "3651"], line);
    failsAlike(
      ["tenant", "update", "acme", "--key-rotation-days", "soon"],
      "--key-rotation-days must be a whole number of days (0 rotates only by hand)",
    );
  });

  it("lets a read-only login list tenants but not create or change them", () => {
    const listed = readOnly(["tenant", "list", "--json"]);
    expect(listed.status, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).map((t: TenantJson) => t.id)).toEqual([
      "acme",
      "default",
      "local-co",
    ]);
    refusedToReader(["tenant", "create", "readers-co"]);
    expect(cli.localJson<TenantJson[]>(["tenant", "list"]).map((t) => t.id)).toEqual([
      "acme",
      "default",
      "local-co",
    ]);
  });
});

describe("keys, remotely", () => {
  it("lists a tenant's keys exactly as local mode does", () => {
    const remote = cli.json<KeyJson[]>(["keys", "list", "--tenant", "acme"]);
    expect(remote.map((k) => k.status)).toEqual(expect.arrayContaining(["active", "next"]));
    expect(remote).toEqual(cli.localJson(["keys", "list", "--tenant", "acme"]));
  });

  it("shows when the schedule rotates each active key, once the tenant has a period", () => {
    expect(
      cli.json<TenantJson>(["tenant", "update", "acme", "--key-rotation-days", "30"]),
    ).toMatchObject({ id: "acme", signingKeyRotationDays: 30 });
    const remote = cli.json<KeyJson[]>(["keys", "list", "--tenant", "acme"]);
    expect(remote).toEqual(cli.localJson(["keys", "list", "--tenant", "acme"]));
    for (const key of remote) {
      expect(key.rotatesAt).toBe(
        key.status === "active"
          ? new Date(Date.parse(key.activatedAt ?? "") + 30 * 86_400_000).toISOString()
          : null,
      );
    }

    // Locally too; back to by hand only, no key rotates by itself.
    expect(
      cli.localJson<TenantJson>(["tenant", "update", "acme", "--key-rotation-days", "0"]),
    ).toMatchObject({ signingKeyRotationDays: 0 });
    const byHand = cli.json<KeyJson[]>(["keys", "list", "--tenant", "acme"]);
    expect(byHand.every((k) => k.rotatesAt === null)).toBe(true);
  });

  it("rotates: the key it names signs, as local mode shows", () => {
    const before = cli
      .localJson<KeyJson[]>(["keys", "list", "--tenant", "acme"])
      .filter((k) => k.algorithm === "ES256");
    const next = before.find((k) => k.status === "next");
    const rotated = cli.json<{ tenantId: string; algorithm: string; activeKid: string }>([
      "keys",
      "rotate",
      "--tenant",
      "acme",
    ]);
    expect(rotated).toMatchObject({ tenantId: "acme", algorithm: "ES256" });
    expect(rotated.activeKid).toBe(next?.kid);
    // --alg picks another algorithm, as locally.
    const rs = cli.json<{ algorithm: string; activeKid: string }>([
      "keys",
      "rotate",
      "--tenant",
      "acme",
      "--alg",
      "RS256",
    ]);
    expect(rs.algorithm).toBe("RS256");
    const after = cli.localJson<KeyJson[]>(["keys", "list", "--tenant", "acme"]);
    expect(after.find((k) => k.kid === rotated.activeKid)?.status).toBe("active");
    expect(after.find((k) => k.kid === rs.activeKid)).toMatchObject({
      algorithm: "RS256",
      status: "active",
    });
    expect(
      after.filter((k) => k.status === "retired" && k.algorithm === "ES256").map((k) => k.kid),
    ).toEqual(before.filter((k) => k.status === "active").map((k) => k.kid));
    const local = cli.localJson<object>(["keys", "rotate", "--tenant", "local-co"]);
    expect(Object.keys(rotated).sort()).toEqual(Object.keys(local).sort());
  });

  it("fails on an unknown tenant or algorithm with local mode's line", () => {
    failsAlike(["keys", "rotate", "--tenant", "nope", "--alg", "HS256"], "No tenant nope");
    failsAlike(["keys", "rotate", "--alg", "HS256"], "--alg must be one of ES256, RS256, EdDSA");
  });

  it("lets a read-only login list keys but not rotate them", () => {
    const listed = readOnly(["keys", "list", "--json"]);
    expect(listed.status, listed.stderr).toBe(0);
    refusedToReader(["keys", "rotate"]);
    expect(cli.localJson(["keys", "list"])).toEqual(JSON.parse(listed.stdout));
  });
});

describe("purge, remotely", () => {
  it("deletes an ended session, reporting what it kept as local mode does", () => {
    // A session to purge: a second login of root's, ended by logging out.
    const env = { TESSERA_CONFIG_DIR: mkdtempSync(join(tmpdir(), "tessera-purge-config-")) };
    const args = ["login", "--server", cli.server.url, "--username", "root", "--password-stdin"];
    expect(runCli(args, env, `${REMOTE_ADMIN_PASSWORD}\n`).status).toBe(0);
    expect(runCli(["logout"], env).status).toBe(0);

    const purged = cli.json<Record<string, unknown>>(["purge", "--retention-days", "0"]);
    expect(purged).toMatchObject({ retentionDays: 0, deployment: { server: cli.server.url } });
    expect(purged.sessions).toBeGreaterThanOrEqual(1);
    const local = cli.localJson<Record<string, unknown>>(["purge", "--retention-days", "0"]);
    expect(Object.keys(purged).sort()).toEqual(Object.keys(local).sort());
    expect(local).toMatchObject({ sessions: 0, refreshTokens: 0 });
  });

  it("keeps the server's retention when none is given, and says which", () => {
    const remote = cli.json<{ retentionDays: number; endedBefore: string }>(["purge"]);
    expect(remote.retentionDays).toBe(SERVER_RETENTION_DAYS);
    expect(Date.now() - Date.parse(remote.endedBefore)).toBeGreaterThanOrEqual(
      SERVER_RETENTION_DAYS * 86_400_000,
    );
  });

  it("fails on a bad retention with local mode's line, and for a read-only login", () => {
    failsAlike(
      ["purge", "--retention-days", "1.5"],
      "--retention-days must be a whole number from 0 to 3650",
    );
    refusedToReader(["purge"]);
  });
});
