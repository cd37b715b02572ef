/**
 * `tessera client`, `apikey` and `tokens` in remote mode: the CLI logged in
 * to a running server acts through its admin API, prints what local mode
 * prints for the same deployment, and what it does is real: a client it
 * adds gets an OAuth token with its secret, an API key it creates logs a
 * user in, and what it revokes stops working.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { calculateJwkThumbprint, exportJWK, exportSPKI, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RemoteCli, startRemoteCli } from "../support/remote-cli.js";

/** Not the URL the CLI reaches the server at: the remote URLs must come from the server. */
const PUBLIC_URL = "https://auth.example.test";
const BOB_PASSWORD = "bob-password-1";

type Json = Record<string, unknown>;

interface ClientView {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly otpEnrolled: boolean;
  readonly publicKeys: { kid: string; alg: string }[];
  readonly secretPrefix: string | null;
  readonly clientSecret?: string;
  readonly otpauthUri?: string;
  readonly oauth?: { readonly issuer: string; readonly metadataUrl: string };
}

let cli: RemoteCli;
let pemFile: string;
let pemKid: string;

/** A JSON document without the field that says where it came from, which differs by mode. */
function withoutDeployment<T extends object>(document: T): T {
  const { deployment: _, ...rest } = document as T & { deployment?: unknown };
  return rest as T;
}

/** The same document with `fields` left out. */
function without(document: object, ...fields: string[]): Json {
  return Object.fromEntries(Object.entries(document).filter(([key]) => !fields.includes(key)));
}

/** `args` in remote mode with --json, the deployment field checked and dropped. */
function remote<T extends object = Json>(args: string[], input?: string): T {
  const document = cli.json<T & { deployment?: unknown }>(args, input);
  expect(document.deployment).toMatchObject({ server: cli.server.url, tenant: "default" });
  return withoutDeployment(document);
}

/** `args` in local mode, on the same deployment, with --json and without its deployment field. */
function local<T extends object = Json>(args: string[]): T {
  return withoutDeployment(cli.localJson<T>(args));
}

/** Fails in remote mode: exit 1, nothing on stdout, one `tessera:` line, which it returns. */
function fails(args: string[]): string {
  const remoteRun = cli.run(args);
  expect(remoteRun.status, remoteRun.stdout).toBe(1);
  expect(remoteRun.stdout).toBe("");
  expect(remoteRun.stderr).toMatch(/^tessera: [^\n]+\n$/);
  return remoteRun.stderr;
}

/** Fails in remote mode exactly as in local mode: exit 1, nothing on stdout, one `tessera:` line. */
function failsAsLocally(args: string[]): string {
  const remoteRun = cli.run(args);
  expect(remoteRun.status, remoteRun.stdout).toBe(1);
  expect(remoteRun.stdout).toBe("");
  expect(remoteRun.stderr).toMatch(/^tessera: [^\n]+\n$/);
  expect(cli.local(args)).toEqual(remoteRun);
  return remoteRun.stderr;
}

/** An OAuth client_credentials token request with Basic credentials (RFC 6749 §4.4). */
async function oauthToken(clientId: string, secret: string): Promise<number> {
  const response = await fetch(`${cli.server.url}/oauth/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`,
    },
    body: "grant_type=client_credentials",
  });
  return response.status;
}

/** A request to the session or token API with an API key. */
async function withApiKey(
  apiKey: string,
  path: string,
  body: unknown,
  bearer?: string,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${cli.server.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-api-key": apiKey,
      ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text === "" ? {} : JSON.parse(text)) as Json };
}

beforeAll(async () => {
  cli = await startRemoteCli({ TESSERA_PUBLIC_URL: PUBLIC_URL });
  const pair = await generateKeyPair("ES256");
  pemFile = join(cli.dataDir, "signer.pem");
  writeFileSync(pemFile, await exportSPKI(pair.publicKey));
  pemKid = await calculateJwkThumbprint(await exportJWK(pair.publicKey));
});

afterAll(async () => {
  await cli?.stop();
});

describe("tessera client, remotely", () => {
  it("adds a client whose secret, shown once, gets an OAuth token, shown as local mode shows it", async () => {
    const added = remote<ClientView>(["client", "add", "ci-bot", "--scopes", "tokens:write"]);
    const secret = added.clientSecret ?? "";
    expect(secret).toMatch(/^tsr_cs_/);
    const shown = local<ClientView>(["client", "show", "ci-bot"]);
    expect(without(added, "clientSecret")).toEqual(shown);
    expect(shown.oauth).toMatchObject({
      issuer: `${PUBLIC_URL}/tenants/default`,
      metadataUrl: `${PUBLIC_URL}/.well-known/oauth-authorization-server/tenants/default`,
    });
    expect(await oauthToken(added.id, secret)).toBe(200);
    expect(await oauthToken(added.id, "tsr_cs_wrong")).toBe(401);

    const text = cli.run(["client", "add", "text-bot", "--otp"]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain("\nClient secret:\n\n  tsr_cs_");
    expect(text.stdout).toContain(
      "\nOTP enrolment URI (add it to an authenticator app):\n\n  otpauth://totp/",
    );
    expect(text.stdout).toContain("Store them now: they are shown once and never again.");
    expect(text.stdout).toContain(`  token endpoint  ${PUBLIC_URL}/tenants/default/oauth/token\n`);
  });

  it("adds a client with a public key and a chosen id", () => {
    const added = remote<ClientView>([
      "client",
      "add",
      "signer",
      "--id",
      "signer-bot",
      "--auth-method",
      "private_key_jwt",
      "--public-key",
      pemFile,
      "--audience",
      "https://api.example.test",
      "--max-ttl-days",
      "45",
    ]);
    expect(added).not.toHaveProperty("clientSecret");
    expect(added).toMatchObject({
      id: "signer-bot",
      publicKeys: [{ kid: pemKid, alg: "ES256" }],
      audiences: ["https://api.example.test"],
      maxTokenTtlDays: 45,
      oauth: { issuer: `${PUBLIC_URL}/tenants/default` },
    });
  });

  it("lists and shows clients as local mode does, API keys counted", () => {
    remote(["apikey", "create", "--name", "ci", "--client", "ci-bot"]);
    const listed = cli.json<ClientView[]>(["client", "list"]);
    expect(listed).toEqual(cli.localJson(["client", "list"]));
    expect(listed.map((c) => c.name)).toEqual(["ci-bot", "signer", "tessera-cli", "text-bot"]);
    expect(listed.find((c) => c.name === "ci-bot")).toMatchObject({ apiKeys: 1 });
    expect(remote(["client", "show", "signer-bot"])).toEqual(
      local(["client", "show", "signer-bot"]),
    );
  });

  it("fails for an unknown client, or a bad name, with local mode's one line", () => {
    expect(failsAsLocally(["client", "show", "no-such-bot"])).toBe(
      "tessera: No client no-such-bot\n",
    );
    for (const command of [["update", "--scopes", ""], ["disable"], ["rotate-secret"]]) {
      const [name = "", ...options] = command;
      expect(fails(["client", name, "no-such-bot", ...options])).toBe(
        "tessera: No client no-such-bot\n",
      );
    }
    expect(fails(["client", "show", "bad\u0007name"])).toMatch(/^tessera: A client /);
  });

  it("updates settings in one change, by name, as local mode shows the result", () => {
    const updated = remote<ClientView>([
      "client",
      "update",
      "ci-bot",
      "--name",
      "ci-robot",
      "--scopes",
      "tokens:write,deploy:read",
      "--audiences",
      "https://a.example.test,https://b.example.test",
    ]);
    expect(updated).toMatchObject({
      name: "ci-robot",
      scopes: ["deploy:read", "tokens:write"],
      audiences: ["https://a.example.test", "https://b.example.test"],
      apiKeys: 1,
    });
    expect(updated).toEqual(without(local(["client", "show", "ci-robot"]), "oauth"));
  });

  it("enrols and removes OTP, and moves between a secret and a key, each step as local mode shows it", async () => {
    const enrolled = remote<ClientView>(["client", "update", "ci-robot", "--otp"]);
    expect(enrolled.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(enrolled.otpEnrolled).toBe(true);
    // TOTP needs client_credentials: the enrolment goes before the grants drop it.
    const dropped = remote<ClientView>([
      "client",
      "update",
      "ci-robot",
      "--no-otp",
      "--grant-types",
      "urn:ietf:params:oauth:grant-type:jwt-bearer",
    ]);
    expect(dropped).toMatchObject({
      otpEnrolled: false,
      grantTypes: ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
    });
    expect(dropped).not.toHaveProperty("otpauthUri");
    // private_key_jwt needs a key: the key goes in before the auth method changes.
    const toKey = cli.run([
      "client",
      "update",
      "ci-robot",
      "--auth-method",
      "private_key_jwt",
      "--add-public-key",
      pemFile,
      "--grant-types",
      "client_credentials,urn:ietf:params:oauth:grant-type:jwt-bearer",
    ]);
    expect(toKey.status, toKey.stderr).toBe(0);
    expect(toKey.stdout).toContain(
      "Its secret was removed: it no longer works, and no secret is kept.",
    );
    expect(toKey.stdout).toContain(`  auth method     private_key_jwt\n`);
    expect(toKey.stdout).toContain(`  public keys     ${pemKid} (ES256)\n`);
    // And back: the key leaves after the auth method no longer needs it; a new secret, once.
    const back = remote<ClientView>([
      "client",
      "update",
      "ci-robot",
      "--auth-method",
      "client_secret_basic",
      "--remove-public-key",
      pemKid,
    ]);
    expect(back.clientSecret).toMatch(/^tsr_cs_/);
    expect(without(back, "clientSecret")).toEqual(
      without(local(["client", "show", "ci-robot"]), "oauth"),
    );
    expect(back.publicKeys).toEqual([]);
    expect(await oauthToken(back.id, back.clientSecret ?? "")).toBe(200);
  });

  it("refuses what local mode refuses, in its words, changing nothing", () => {
    const before = local(["client", "show", "ci-robot"]);
    expect(fails(["client", "update", "ci-robot"])).toBe("tessera: Nothing to change\n");
    expect(fails(["client", "update", "ci-robot", "--remove-public-key", "nope"])).toBe(
      "tessera: The client has no public key nope\n",
    );
    // Valid alone, the key; refused together, the enrolment without client_credentials.
    expect(
      failsAsLocally([
        "client",
        "update",
        "ci-robot",
        "--add-public-key",
        pemFile,
        "--otp",
        "--grant-types",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
      ]),
    ).toMatch(/^tessera: A TOTP enrolment proves a client/);
    expect(fails(["client", "update", "ci-robot", "--name", "signer-bot"])).toMatch(
      /^tessera: Client name signer-bot is another client's id/,
    );
    expect(local(["client", "show", "ci-robot"])).toEqual(before);
  });

  it("disables, enables and rotates a secret: tokens stop and start, the old secret stops at once", async () => {
    const added = remote<ClientView>(["client", "add", "toggle-bot"]);
    const secret = added.clientSecret ?? "";
    const disabled = remote<ClientView>(["client", "disable", "toggle-bot"]);
    expect(disabled.status).toBe("disabled");
    expect(await oauthToken(added.id, secret)).not.toBe(200);
    const text = cli.run(["client", "enable", "toggle-bot"]);
    expect(text.stdout).toBe(`enabled client toggle-bot (${added.id}); status active\n`);
    expect(await oauthToken(added.id, secret)).toBe(200);

    const rotated = remote<ClientView>(["client", "rotate-secret", "toggle-bot"]);
    const newSecret = rotated.clientSecret ?? "";
    expect(newSecret).toMatch(/^tsr_cs_/);
    expect(newSecret).not.toBe(secret);
    const shown = without(local(["client", "show", "toggle-bot"]), "oauth", "apiKeys");
    expect(without(rotated, "clientSecret")).toEqual(shown);
    expect(Object.keys(disabled)).toEqual(Object.keys(shown));
    expect(await oauthToken(added.id, secret)).toBe(401);
    expect(await oauthToken(added.id, newSecret)).toBe(200);
    expect(fails(["client", "rotate-secret", "signer-bot"])).toMatch(
      /^tessera: Client signer has no secret/,
    );
  });
});

describe("tessera apikey, remotely", () => {
  it("creates a key that logs a user in, listed as local mode lists it; revoked, it stops", async () => {
    remote(["user", "add", "bob", "--password-stdin"], `${BOB_PASSWORD}\n`);
    const created = remote<Json & { id: string; key: string; clientName: string }>([
      "apikey",
      "create",
      "--name",
      "web app",
    ]);
    expect(created).toMatchObject({ clientName: "web-app", clientCreated: true, revokedAt: null });
    const listed = cli.json<Json[]>(["apikey", "list"]);
    expect(listed).toEqual(cli.localJson(["apikey", "list"]));
    expect(without(created, "clientName", "clientCreated", "key")).toEqual(
      listed.find((k) => k.id === created.id),
    );
    const login = () =>
      withApiKey(created.key, "/auth/token", { username: "bob", password: BOB_PASSWORD });
    expect((await login()).status).toBe(200);

    expect(remote(["apikey", "revoke", created.id])).toEqual({ id: created.id, revoked: true });
    expect((await login()).status).toBe(401);
    expect(remote(["apikey", "revoke", created.id])).toEqual(
      local(["apikey", "revoke", created.id]),
    );
  });

  it("creates a key for an existing client by name, saying so in text as local mode does", () => {
    const text = cli.run(["apikey", "create", "--client", "toggle-bot"]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^API key \S+ for client \S+ \(toggle-bot, tenant default\):\n/);
    expect(text.stdout).not.toContain("was created for it");
    const made = cli.run(["apikey", "create", "--name", "made"]);
    expect(made.stdout).toContain(
      "Client made was created for it: public (no secret), grant types password, refresh_token.",
    );
  });

  it("fails for an unknown client or key with local mode's one line", () => {
    expect(failsAsLocally(["apikey", "create", "--client", "no-such-bot"])).toBe(
      "tessera: --client no-such-bot: tenant default has no such client. Register it first with `tessera client add <name>`, or leave --client out to make a new client for this key\n",
    );
    expect(fails(["apikey", "revoke", "ak_nope"])).toBe("tessera: No API key ak_nope\n");
  });
});

describe("tessera tokens, remotely", () => {
  it("lists a client's tokens as local mode does, and revokes a long-term token with its short-term one", async () => {
    const client = remote<ClientView>(["client", "add", "deploy-bot", "--scopes", "tokens:write"]);
    const { key } = remote<Json & { key: string }>(["apikey", "create", "--client", "deploy-bot"]);
    const long = await withApiKey(key, "/auth/tokens/long", {
      grant_type: "client_credentials",
      client_id: client.id,
      client_secret: client.clientSecret,
    });
    expect(long.status, JSON.stringify(long.body)).toBe(201);
    const longToken = String(long.body.token);
    const longId = String(long.body.token_id);
    const short = await withApiKey(key, "/auth/tokens/short", {}, longToken);
    expect(short.status, JSON.stringify(short.body)).toBe(201);
    const shortId = String(short.body.token_id);

    const listed = cli.json<Json[]>(["tokens", "list", "deploy-bot"]);
    expect(listed).toEqual(cli.localJson(["tokens", "list", client.id]));
    expect(listed.map((t) => t.id)).toEqual([shortId, longId]);
    expect(cli.json<Json[]>(["tokens", "list", "deploy-bot", "--limit", "1"])).toEqual(
      listed.slice(0, 1),
    );

    const revoked = remote<Json & { revokedTokenIds: string[] }>(["tokens", "revoke", longId]);
    expect(revoked).toMatchObject({ id: longId, revoked: true });
    expect([...revoked.revokedTokenIds].sort()).toEqual([longId, shortId].sort());
    expect((await withApiKey(key, "/auth/tokens/short", {}, longToken)).status).toBe(401);
    const all = cli.json<Json[]>(["tokens", "list", "deploy-bot", "--all"]);
    expect(all).toEqual(cli.localJson(["tokens", "list", "deploy-bot", "--all"]));
    expect(all.map((t) => t.revokedReason)).toEqual(["revoked_by_operator", "revoked_by_operator"]);

    expect(cli.run(["tokens", "revoke", longId]).stdout).toBe(`${longId} was already revoked\n`);
  });

  it("fails for an unknown client or token, or a bad limit, with local mode's one line", () => {
    expect(fails(["tokens", "list", "no-such-bot"])).toBe("tessera: No client no-such-bot\n");
    expect(failsAsLocally(["tokens", "revoke", "lt_nope"])).toBe("tessera: No token lt_nope\n");
    expect(fails(["tokens", "list", "deploy-bot", "--limit", "0"])).toMatch(
      /^tessera: --limit must be a whole number from 1 to 500/,
    );
  });
});
