/**
 * `tessera sessions` and `tessera audit` in remote mode: the built CLI,
 * logged in to a running server, acting through its admin API, printing
 * what local mode prints on the server's data dir for the same sessions
 * and events, and failing in the same words.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childEnv, TESSERA_BIN } from "../support/processes.js";
import { type RemoteCli, startRemoteCli } from "../support/remote-cli.js";

const PASSWORD = "alice-password-1";

let cli: RemoteCli;
let apiKey: string;
let clientName: string;
let rootId: string;
let aliceId: string;

interface Tokens {
  readonly authorization: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

interface SessionView {
  readonly id: string;
  readonly userId: string;
  readonly username: string | null;
  readonly clientName: string | null;
  readonly impersonatorUserId: string | null;
}

interface AuditEvent {
  readonly id: number;
  readonly type: string;
  readonly actorUserId: string | null;
  readonly subjectUserId: string | null;
  readonly sessionId: string | null;
  readonly detail: Record<string, unknown>;
}

/** Logs `username` in through the session API with the `web` client's API key. */
async function login(username: string): Promise<Tokens> {
  const response = await fetch(`${cli.server.url}/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { session: Tokens }).session;
}

/** Tries a refresh token: 200 while its session lives, 401 once it ended. */
async function refresh(refreshToken: string): Promise<number> {
  const response = await fetch(`${cli.server.url}/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify({ session: { refreshToken } }),
  });
  return response.status;
}

/** Refreshes a session: its next refresh token. */
async function refreshed(refreshToken: string): Promise<string> {
  const response = await fetch(`${cli.server.url}/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify({ session: { refreshToken } }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { session: Tokens }).session.refreshToken;
}

/** `caller` acts as `username`: an impersonation session born of the caller's. */
async function impersonate(caller: Tokens, username: string): Promise<Tokens> {
  const response = await fetch(`${cli.server.url}/auth/impersonate`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-api-key": apiKey,
      authorization: `Bearer ${caller.authorization}`,
      accesstoken: caller.accessToken,
    },
    body: JSON.stringify({ username }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { session: Tokens }).session;
}

/** A remote command's JSON object without its `deployment`, which names where it ran. */
function remoteObject(args: string[]): Record<string, unknown> {
  const { deployment, ...rest } = cli.json<Record<string, unknown>>(args);
  expect(deployment).toMatchObject({ server: cli.server.url });
  return rest;
}

/** What a command prints on standard output, remotely and locally: they must be the same. */
function sameOutput(args: string[]): string {
  const remote = cli.run(args);
  expect(remote.status, remote.stderr).toBe(0);
  const local = cli.local(args);
  expect(local.status, local.stderr).toBe(0);
  expect(remote.stdout).toBe(local.stdout);
  return remote.stdout;
}

/** NDJSON lines as objects. */
function records<T>(stdout: string): T[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as T);
}

function aliceSessions(): SessionView[] {
  return cli.json<SessionView[]>(["sessions", "list", "--user", "alice"]);
}

beforeAll(async () => {
  cli = await startRemoteCli();
  const key = cli.localJson<{ key: string; clientName: string }>([
    "apikey",
    "create",
    "--name",
    "web",
  ]);
  apiKey = key.key;
  clientName = key.clientName;
  cli.localJson(["user", "add", "alice", "--password-stdin"], `${PASSWORD}\n`);
  cli.localJson(
    ["user", "add", "bob", "--permission", "impersonate", "--password-stdin"],
    `${PASSWORD}\n`,
  );
  const users = cli.localJson<{ id: string; username: string }[]>(["user", "list"]);
  rootId = users.find((u) => u.username === "root")?.id ?? "";
  aliceId = users.find((u) => u.username === "alice")?.id ?? "";
});

afterAll(async () => {
  await cli?.stop();
});

describe("tessera sessions list, remotely", () => {
  it("lists the sessions local mode lists, by --user, with names in the table", async () => {
    await login("alice");
    await login("alice");
    const bob = await login("bob");
    await impersonate(bob, "alice");

    const all = cli.json<SessionView[]>(["sessions", "list"]);
    expect(all).toEqual(cli.localJson(["sessions", "list"]));
    // Alice twice and as impersonated by Bob, Bob, and root's own login.
    expect(all.map((s) => s.username).sort()).toEqual(["alice", "alice", "alice", "bob", "root"]);

    const alices = aliceSessions();
    expect(alices).toEqual(cli.localJson(["sessions", "list", "--user", "alice"]));
    expect(alices).toHaveLength(3);
    expect(alices.every((s) => s.username === "alice")).toBe(true);
    expect(cli.json(["sessions", "list", "--limit", "2"])).toEqual(all.slice(0, 2));

    const table = sameOutput(["sessions", "list"]).trimEnd().split("\n");
    expect(table[0]).toMatch(/^ID\s+USER\s+CLIENT\s+CREATED\s+EXPIRES\s+REVOKED\s+IMPERSONATOR$/);
    const impersonation = alices.find((s) => s.impersonatorUserId !== null);
    expect(table.find((row) => row.startsWith(impersonation?.id ?? "?"))).toMatch(
      new RegExp(`\\s+alice\\s+${clientName}\\s.*\\sbob$`),
    );
    expect(table.some((row) => /\sroot\s+tessera-cli\s/.test(row))).toBe(true);
    const shown = table.join("\n");
    for (const s of all) {
      expect(shown).not.toContain(s.userId);
    }
  });
});

describe("tessera sessions revoke, remotely", () => {
  it("ends one session: its refresh token stops working, the user's others go on", async () => {
    const first = await login("alice");
    const second = await login("alice");
    // Newest first: the second login's session leads.
    const [newest] = aliceSessions();
    expect(remoteObject(["sessions", "revoke", newest?.id ?? ""])).toEqual({ revoked: 1 });
    expect(await refresh(second.refreshToken)).toBe(401);
    expect(await refresh(first.refreshToken)).toBe(200);

    // Already ended: nothing more to end, said as local mode says it.
    expect(remoteObject(["sessions", "revoke", newest?.id ?? ""])).toEqual({ revoked: 0 });
    expect(sameOutput(["sessions", "revoke", newest?.id ?? ""])).toBe(
      `${newest?.id} was already ended\n`,
    );
  });

  it("counts the impersonation sessions a revoked session ends with it, as local mode does", async () => {
    const bob = await login("bob");
    const child = await impersonate(bob, "alice");
    const [own] = cli.json<SessionView[]>(["sessions", "list", "--user", "bob"]);
    expect(cli.run(["sessions", "revoke", own?.id ?? ""]).stdout).toBe("ended 2 session(s)\n");
    expect(await refresh(child.refreshToken)).toBe(401);
    expect(await refresh(bob.refreshToken)).toBe(401);
  });

  it("ends every session of a user with --user", async () => {
    const tokens = [await login("alice"), await login("alice")];
    const live = aliceSessions().length;
    expect(live).toBeGreaterThanOrEqual(2);
    expect(cli.run(["sessions", "revoke", "--user", "alice"]).stdout).toBe(
      `ended ${live} session(s) of alice\n`,
    );
    for (const session of tokens) {
      expect(await refresh(session.refreshToken)).toBe(401);
    }
    expect(aliceSessions()).toEqual([]);
    expect(remoteObject(["sessions", "revoke", "--user", "alice"])).toEqual({ revoked: 0 });
  });

  it("fails as local mode fails: an unknown session or user, or neither given", () => {
    const failures = new Map<string, string>();
    for (const args of [
      ["sessions", "revoke", "no-such-session"],
      ["sessions", "revoke", "--user", "nobody"],
      ["sessions", "list", "--user", "bad\u0007name"],
      ["sessions", "revoke"],
    ]) {
      const remote = cli.run(args);
      expect(remote.status, args.join(" ")).toBe(1);
      expect(remote.stdout).toBe("");
      expect(remote.stderr.split("\n")).toHaveLength(2);
      expect(remote).toEqual(cli.local(args));
      failures.set(args.join(" "), remote.stderr);
    }
    expect(failures.get("sessions revoke no-such-session")).toBe(
      "tessera: No session no-such-session\n",
    );
    expect(failures.get("sessions revoke --user nobody")).toBe("tessera: No user nobody\n");
  });
});

describe("tessera audit, remotely", () => {
  beforeAll(async () => {
    // More events than one page of the admin API's search holds (200): a refresh records one.
    let token = (await login("alice")).refreshToken;
    for (let i = 0; i < 300; i++) {
      token = await refreshed(token);
    }
  });

  it("search prints what local mode prints, with the remote operator as the actor of a remote revoke", () => {
    const revokes = records<AuditEvent>(
      sameOutput(["audit", "search", "--type", "session.revoked", "--json"]),
    );
    // Every revocation above was made remotely, as root.
    expect(revokes.length).toBeGreaterThanOrEqual(3);
    for (const event of revokes) {
      expect(event.actorUserId).toBe(rootId);
    }
    expect(revokes[0]?.detail).toMatchObject({
      reason: "revoked_by_operator",
      sessionsRevoked: expect.any(Number),
    });
    const lines = sameOutput(["audit", "search", "--type", "session.revoked"]).split("\n");
    expect(lines[0]).toContain(`session.revoked actor=${rootId} `);

    // A revocation made locally names no actor: the CLI holds the database itself.
    cli.local(["sessions", "revoke", "--user", "bob"]);
    const [newest] = records<AuditEvent>(
      sameOutput(["audit", "search", "--type", "session.", "-n", "1", "--json"]),
    );
    expect(newest).toMatchObject({ type: "session.revoked", actorUserId: null });

    const session = revokes.find((e) => e.sessionId !== null)?.sessionId ?? "?";
    const found = new Map<string, AuditEvent[]>();
    for (const filters of [
      ["--user", "alice"],
      ["--client", clientName],
      ["--session", session, "--type", "session."],
      // More than one page of the admin API's search.
      ["--since", "2000-01-01", "--until", "2999-01-01T00:00:00Z", "-n", "250"],
      // The admin API's NDJSON export.
      ["--all"],
    ]) {
      const events = records<AuditEvent>(sameOutput(["audit", "search", ...filters, "--json"]));
      expect(events.length, filters.join(" ")).toBeGreaterThan(0);
      found.set(filters[0] ?? "", events);
    }
    expect(
      found.get("--user")?.every((e) => e.subjectUserId === aliceId || e.actorUserId === aliceId),
    ).toBe(true);
    expect(found.get("--session")?.map((e) => e.sessionId)).toEqual([session]);
    expect(found.get("--since")).toHaveLength(250);
    expect(found.get("--all")?.length).toBeGreaterThan(250);
  });

  it("search fails as local mode fails on a bad filter or limit", () => {
    for (const args of [
      ["audit", "search", "--type", "nonsense"],
      ["audit", "search", "--since", "yesterday"],
      ["audit", "tail", "-n", "0"],
    ]) {
      const remote = cli.run(args);
      expect(remote.status, args.join(" ")).toBe(1);
      expect(remote).toEqual(cli.local(args));
    }
  });

  it("tail prints the latest events, oldest first, as local mode does", () => {
    const text = sameOutput(["audit", "tail"]).trimEnd().split("\n");
    expect(text).toHaveLength(20);
    const json = records<AuditEvent>(sameOutput(["audit", "tail", "-n", "250", "--json"]));
    expect(json.length).toBeGreaterThan(20);
    const ids = json.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it("tail --follow prints each new event as it is recorded", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "tessera-follow-"));
    const child = spawn(
      process.execPath,
      [TESSERA_BIN, "audit", "tail", "-n", "1", "--follow", "--json"],
      { env: childEnv(cli.env), cwd, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    const lines = () => records<AuditEvent>(stdout);
    const until = (done: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (done()) {
            child.stdout.off("data", check);
            resolve();
          }
        };
        child.stdout.on("data", check);
        child.once("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
        check();
      });
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      await until(() => lines().length >= 1);
      cli.localJson(["user", "add", "carol", "--password-stdin"], `${PASSWORD}\n`);
      cli.localJson(["user", "disable", "carol"]);
      await until(() => lines().some((e) => e.type === "user.disabled"));
      const followed = lines();
      const [latest] = records<AuditEvent>(
        cli.local(["audit", "tail", "-n", "1", "--json"]).stdout,
      );
      expect(followed.at(-1)).toEqual(latest);
      expect(followed.map((e) => e.type)).toContain("user.created");
      const ids = followed.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    } finally {
      child.kill();
    }
  });
});
