/**
 * The operator CLI for the token API's clients and tokens (spec 004), run as
 * a user runs it (the built `tessera` against a data dir) while a real server
 * on the same data dir issues the tokens it lists and revokes.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
} from "jose";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  requestsMissingFromLog,
  runCli,
  type ServerProcess,
  startServerProcess,
} from "../support/processes.js";

const PUBLIC_URL = "https://auth.example.test";
let dataDir: string;
let env: Record<string, string>;
let server: ServerProcess;
let apiKey: string;
let pemFile: string;
let pemKid: string;
let privateKey: CryptoKey;
const secretsSeen: string[] = [];
/** Every request sent to the server ("METHOD /path"), for the log scan to find. */
const requestsSent: string[] = [];

/** The one JSON document a `--json` command printed; fails the test on a non-zero exit. */
function cliJson<T>(args: string[]): T {
  const result = runCli([...args, "--json"], env);
  expect(result.status, result.stderr).toBe(0);
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout) as T;
}

/** A command that must fail: exit 1, nothing on stdout, one `tessera:` line on stderr. */
function cliFailure(args: string[]): string {
  const result = runCli(args, env);
  expect(result.status).toBe(1);
  expect(result.stdout).toBe("");
  expect(result.stderr).toMatch(/^tessera: [^\n]+\n$/);
  return result.stderr;
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

interface ClientView {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly scopes: string[];
  readonly audiences: string[];
  readonly maxTokenTtlDays: number;
  readonly otpEnrolled: boolean;
  readonly publicKeys: { kid: string; alg: string }[];
  readonly secretPrefix: string;
  readonly clientSecret?: string;
  readonly otpauthUri?: string;
}

interface TokenView {
  readonly id: string;
  readonly type: string;
  readonly prefix: string | null;
  readonly scopes: string[];
  readonly parentId: string | null;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  readonly revokedReason: string | null;
}

async function http(
  method: string,
  path: string,
  { body, bearer }: { body?: unknown; bearer?: string } = {},
) {
  requestsSent.push(`${method} ${path}`);
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      "x-api-key": apiKey,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text === "" ? {} : JSON.parse(text)) as Record<string, unknown>,
  };
}

const stepUp = (clientId: string, proof: Record<string, unknown>) =>
  http("POST", "/auth/tokens/long", {
    body: { grant_type: "client_credentials", client_id: clientId, ...proof },
  });

/** The current TOTP code for `uri`'s seed, computed by otplib, not by the server's library. */
const otpOf = (uri: string): Promise<string> =>
  generate({
    secret: new URL(uri).searchParams.get("secret") ?? "",
    epoch: Math.floor(Date.now() / 1000),
  });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tessera-e2e-client-"));
  env = { TESSERA_DATA_DIR: dataDir, TESSERA_PUBLIC_URL: PUBLIC_URL, TESSERA_LOG_LEVEL: "trace" };
  server = await startServerProcess(env);
  const key = cliJson<{ key: string }>(["apikey", "create", "--name", "client-cli"]);
  apiKey = key.key;
  const pair = await generateKeyPair("ES256");
  privateKey = pair.privateKey;
  pemFile = join(dataDir, "deploy-bot.pem");
  writeFileSync(pemFile, await exportSPKI(pair.publicKey));
  pemKid = await calculateJwkThumbprint(await exportJWK(pair.publicKey));
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("tessera client and tessera tokens, against a running server", () => {
  let client: ClientView;
  let secret: string;
  let otpauthUri: string;
  let longToken: { token_id: string; token: string };

  it("adds a client with OTP and a PEM key, printing its secret and otpauth URI exactly once", () => {
    const result = runCli(
      [
        "client",
        "add",
        "deploy-bot",
        "--scopes",
        "tokens:write, deploy:read",
        "--otp",
        "--public-key",
        pemFile,
        "--max-ttl-days",
        "60",
        "--json",
      ],
      env,
    );
    expect(result.status, result.stderr).toBe(0);
    client = JSON.parse(result.stdout) as ClientView;
    expect(Object.keys(client).sort()).toEqual(
      [
        "apiKeys",
        "audiences",
        "clientSecret",
        "createdAt",
        "deployment",
        "grantTypes",
        "id",
        "maxTokenTtlDays",
        "name",
        "oauth",
        "otpEnrolled",
        "otpauthUri",
        "publicKeys",
        "scopes",
        "secretPrefix",
        "status",
        "tenantId",
        "tokenEndpointAuthMethod",
        "updatedAt",
      ].sort(),
    );
    expect(client).toMatchObject({
      id: expect.stringMatching(/^[0-9a-z]{26}$/),
      tenantId: "default",
      name: "deploy-bot",
      status: "active",
      grantTypes: ["client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
      tokenEndpointAuthMethod: "client_secret_basic",
      apiKeys: 0,
      scopes: ["deploy:read", "tokens:write"],
      audiences: [],
      maxTokenTtlDays: 60,
      otpEnrolled: true,
      publicKeys: [{ kid: pemKid, alg: "ES256" }],
      clientSecret: expect.stringMatching(/^tsr_cs_/),
      otpauthUri: expect.stringMatching(
        /^otpauth:\/\/totp\/Tessera:deploy-bot\?.*secret=[A-Z2-7]+/,
      ),
    });
    secret = client.clientSecret ?? "";
    otpauthUri = client.otpauthUri ?? "";
    secretsSeen.push(secret, otpauthUri);
    expect(secret.startsWith(client.secretPrefix)).toBe(true);
    expect(occurrences(result.stdout, secret)).toBe(1);
    expect(occurrences(result.stdout, otpauthUri)).toBe(1);
  });

  it("says in text that the secret and URI are shown once, and prints each once", () => {
    const result = runCli(["client", "add", "text-bot", "--otp"], env);
    expect(result.status, result.stderr).toBe(0);
    const printed = /^ {2}(tsr_cs_\S+)$/m.exec(result.stdout)?.[1] ?? "";
    const uri = /^ {2}(otpauth:\/\/\S+)$/m.exec(result.stdout)?.[1] ?? "";
    expect(printed).toMatch(/^tsr_cs_.{20,}/);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Tessera:text-bot\?/);
    secretsSeen.push(printed, uri);
    expect(occurrences(result.stdout, printed)).toBe(1);
    expect(occurrences(result.stdout, uri)).toBe(1);
    expect(result.stdout).toContain("shown once and never again");
  });

  it("never shows the secret or the OTP seed in client list or client show", () => {
    const seed = new URL(otpauthUri).searchParams.get("secret") ?? "";
    expect(seed).not.toBe("");
    const outputs = [
      runCli(["client", "list"], env),
      runCli(["client", "list", "--json"], env),
      runCli(["client", "show", "deploy-bot"], env),
      runCli(["client", "show", client.id, "--json"], env),
    ];
    for (const output of outputs) {
      expect(output.status, output.stderr).toBe(0);
      expect(output.stdout).toContain("deploy-bot");
      expect(output.stdout).not.toContain(secret);
      expect(output.stdout).not.toContain(seed);
      expect(output.stdout).not.toContain("otpauth");
    }
    const listed = JSON.parse(outputs[1]?.stdout ?? "") as ClientView[];
    // The client made for this suite's API key (named after it) is listed too.
    expect(listed.map((c) => c.name)).toEqual([
      "client-cli",
      "deploy-bot",
      "tessera-cli",
      "text-bot",
    ]);
    const shown = JSON.parse(outputs[3]?.stdout ?? "") as ClientView;
    expect(shown).not.toHaveProperty("clientSecret");
    expect(shown).toMatchObject({ id: client.id, otpEnrolled: true, maxTokenTtlDays: 60 });
    expect(outputs[2]?.stdout).toMatch(/otp enrolled +yes/);
    expect(outputs[2]?.stdout).toContain(`${pemKid} (ES256)`);
  });

  it("prints credentials the server accepts: the secret, an OTP code and a signed assertion", async () => {
    const bySecret = await stepUp(client.id, { client_secret: secret, name: "ci" });
    expect(bySecret.status, JSON.stringify(bySecret.body)).toBe(201);
    longToken = bySecret.body as { token_id: string; token: string };
    secretsSeen.push(longToken.token);
    const byOtp = await stepUp(client.id, { otp_code: await otpOf(otpauthUri) });
    expect(byOtp.status, JSON.stringify(byOtp.body)).toBe(201);
    secretsSeen.push(String(byOtp.body.token));
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: "ES256" })
      .setIssuer(client.id)
      .setSubject(client.id)
      .setAudience(`${PUBLIC_URL}/auth/tokens/long`)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(privateKey);
    const byAssertion = await http("POST", "/auth/tokens/long", { body: { assertion: jwt } });
    expect(byAssertion.status, JSON.stringify(byAssertion.body)).toBe(201);
    secretsSeen.push(String(byAssertion.body.token));
  });

  it("updates scopes and the ceiling, without printing an OTP URI unless enrolling", () => {
    const updated = cliJson<ClientView>([
      "client",
      "update",
      "deploy-bot",
      "--scopes",
      "tokens:write,reports:read",
      "--max-ttl-days",
      "30",
    ]);
    expect(updated).toMatchObject({
      id: client.id,
      scopes: ["reports:read", "tokens:write"],
      maxTokenTtlDays: 30,
      otpEnrolled: true,
      publicKeys: [{ kid: pemKid, alg: "ES256" }],
    });
    expect(updated).not.toHaveProperty("otpauthUri");
    expect(cliJson<ClientView>(["client", "show", client.id]).scopes).toEqual([
      "reports:read",
      "tokens:write",
    ]);
  });

  let audienceBot: { id: string; token: string };
  const mint = (audience: string) =>
    http("POST", "/auth/tokens/short", { body: { audience }, bearer: audienceBot.token });

  it("allows audiences with --audience (repeatable) and shows them in client show and list", async () => {
    const added = cliJson<ClientView>([
      "client",
      "add",
      "audience-bot",
      "--scopes",
      "deploy:read",
      "--audience",
      "https://deploy.example.test",
      "--audience",
      "urn:example:billing",
    ]);
    expect(added.clientSecret).toMatch(/^tsr_cs_/);
    secretsSeen.push(String(added.clientSecret));
    expect(added.audiences).toEqual(["https://deploy.example.test", "urn:example:billing"]);
    const shown = runCli(["client", "show", "audience-bot"], env);
    expect(shown.stdout).toMatch(
      /\n {2}audiences {7}https:\/\/deploy\.example\.test\n {18}urn:example:billing\n/,
    );
    expect(runCli(["client", "list"], env).stdout).toMatch(
      /audience-bot .*https:\/\/deploy\.example\.test,urn:example:billing/,
    );
    const long = await stepUp(added.id, { client_secret: added.clientSecret });
    expect(long.status).toBe(201);
    audienceBot = { id: added.id, token: String(long.body.token) };
    secretsSeen.push(audienceBot.token);
  });

  it("lets the server mint only for the allowed audiences and the issuer", async () => {
    expect((await mint("https://deploy.example.test")).status).toBe(201);
    expect((await mint(`${PUBLIC_URL}/tenants/default`)).status).toBe(201);
    expect((await mint("https://other.example.test")).body).toMatchObject({
      status: 400,
      code: "invalid_target",
    });
  });

  it("replaces the audiences with client update --audience, and empties them with --no-audience", async () => {
    const replaced = cliJson<ClientView>([
      "client",
      "update",
      "audience-bot",
      "--audience",
      "https://other.example.test",
    ]);
    expect(replaced.audiences).toEqual(["https://other.example.test"]);
    expect((await mint("https://other.example.test")).status).toBe(201);
    expect((await mint("https://deploy.example.test")).body).toMatchObject({
      code: "invalid_target",
    });
    const emptied = cliJson<ClientView>(["client", "update", "audience-bot", "--no-audience"]);
    expect(emptied.audiences).toEqual([]);
    expect((await mint("https://other.example.test")).body).toMatchObject({
      code: "invalid_target",
    });
  });

  it("shows an empty list as the issuer only, and refuses a malformed audience in one line", () => {
    expect(runCli(["client", "show", "audience-bot"], env).stdout).toContain(
      "  audiences       the tenant's issuer only\n",
    );
    expect(cliFailure(["client", "update", "audience-bot", "--audience", "not a uri"])).toContain(
      "An audience is 1-256 printable ASCII characters without spaces",
    );
    for (const reserved of ["tessera:operations", `${PUBLIC_URL}/tenants/other`]) {
      expect(cliFailure(["client", "update", "audience-bot", "--audience", reserved])).toBe(
        `tessera: An audience may not be one of Tessera's own: none starts with tessera: or is a URL under ${PUBLIC_URL}\n`,
      );
    }
  });

  for (const order of [
    ["--audience", "https://deploy.example.test", "--no-audience"],
    ["--no-audience", "--audience", "https://deploy.example.test"],
  ]) {
    it(`refuses ${order.join(" ")} as a usage error that changes nothing`, () => {
      const before = cliJson<ClientView>([
        "client",
        "update",
        "audience-bot",
        "--audience",
        "https://kept.example.test",
      ]);
      expect(before.audiences).toEqual(["https://kept.example.test"]);
      const result = runCli(["client", "update", "audience-bot", ...order], env);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr.split("\n")[0]).toBe(
        "error: --audience and --no-audience cannot be used together (--audience replaces the allowed audiences, --no-audience empties them)",
      );
      // With --json, the same mistake as JSON on standard output, and nothing on standard error.
      const json = runCli(["client", "update", "audience-bot", ...order, "--json"], env);
      expect([json.status, JSON.parse(json.stdout), json.stderr]).toEqual([
        1,
        {
          error: {
            code: "usage",
            message:
              "--audience and --no-audience cannot be used together (--audience replaces the allowed audiences, --no-audience empties them)",
          },
        },
        "",
      ]);
      expect(cliJson<ClientView>(["client", "show", "audience-bot"]).audiences).toEqual([
        "https://kept.example.test",
      ]);
    });
  }

  it("re-enrols OTP with --otp (a new URI, shown once; the old seed stops working) and removes it with --no-otp", async () => {
    const result = runCli(["client", "update", "deploy-bot", "--otp", "--json"], env);
    expect(result.status, result.stderr).toBe(0);
    const enrolled = JSON.parse(result.stdout) as ClientView;
    const uri = enrolled.otpauthUri ?? "";
    secretsSeen.push(uri);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Tessera:deploy-bot\?/);
    expect(new URL(uri).searchParams.get("secret")).not.toBe(
      new URL(otpauthUri).searchParams.get("secret"),
    );
    expect(occurrences(result.stdout, uri)).toBe(1);
    expect(runCli(["client", "show", "deploy-bot"], env).stdout).not.toContain(uri);
    const oldCode = await stepUp(client.id, { otp_code: await otpOf(otpauthUri) });
    expect(oldCode.status).toBe(401);
    const removed = cliJson<ClientView>(["client", "update", "deploy-bot", "--no-otp"]);
    expect(removed.otpEnrolled).toBe(false);
    expect(removed).not.toHaveProperty("otpauthUri");
  });

  it("adds a JWK key and removes the PEM key by kid; a missing key file is a one-line error that changes nothing", async () => {
    const other = await generateKeyPair("ES256");
    const jwk = await exportJWK(other.publicKey);
    const jwkFile = join(dataDir, "other.jwk.json");
    writeFileSync(jwkFile, JSON.stringify(jwk));
    const otherKid = await calculateJwkThumbprint(jwk);
    const missing = join(dataDir, "no-such-key.pem");
    expect(cliFailure(["client", "update", "deploy-bot", "--add-public-key", missing])).toBe(
      `tessera: No such public key file: ${missing}\n`,
    );
    expect(cliFailure(["client", "add", "ghost-bot", "--public-key", missing])).toBe(
      `tessera: No such public key file: ${missing}\n`,
    );
    expect(cliJson<ClientView[]>(["client", "list"]).map((c) => c.name)).not.toContain("ghost-bot");
    const swapped = cliJson<ClientView>([
      "client",
      "update",
      "deploy-bot",
      "--add-public-key",
      jwkFile,
      "--remove-public-key",
      pemKid,
    ]);
    expect(swapped.publicKeys).toEqual([{ kid: otherKid, alg: "ES256" }]);
  });

  it("disables a client (step-ups and its tokens refused) and enables it again", async () => {
    const disabled = cliJson<ClientView>(["client", "disable", "deploy-bot"]);
    expect(disabled.status).toBe("disabled");
    expect((await stepUp(client.id, { client_secret: secret })).status).toBe(401);
    const refused = await http("GET", "/auth/tokens", { bearer: longToken.token });
    expect(refused).toMatchObject({ status: 401, body: { code: "token_revoked" } });
    expect(cliJson<ClientView>(["client", "show", "deploy-bot"]).status).toBe("disabled");
    const enabled = cliJson<ClientView>(["client", "enable", client.id]);
    expect(enabled.status).toBe("active");
    expect((await http("GET", "/auth/tokens", { bearer: longToken.token })).status).toBe(200);
  });

  it("rotates the secret: a different one, shown once; only the new one works", async () => {
    const result = runCli(["client", "rotate-secret", "deploy-bot"], env);
    expect(result.status, result.stderr).toBe(0);
    const rotated = /^ {2}(tsr_cs_\S+)$/m.exec(result.stdout)?.[1] ?? "";
    secretsSeen.push(rotated);
    expect(rotated).toMatch(/^tsr_cs_/);
    expect(rotated).not.toBe(secret);
    expect(occurrences(result.stdout, rotated)).toBe(1);
    expect(result.stdout).toContain("shown once and never again");
    const json = cliJson<ClientView>(["client", "rotate-secret", "deploy-bot"]);
    expect(json.clientSecret).toMatch(/^tsr_cs_/);
    expect(json.clientSecret).not.toBe(rotated);
    secret = json.clientSecret ?? "";
    secretsSeen.push(secret);
    expect((await stepUp(client.id, { client_secret: rotated })).status).toBe(401);
    const fresh = await stepUp(client.id, { client_secret: secret });
    expect(fresh.status).toBe(201);
    secretsSeen.push(String(fresh.body.token));
  });

  it("lists the client's long- and short-term tokens, never a token", async () => {
    const short = await http("POST", "/auth/tokens/short", { bearer: longToken.token });
    expect(short.status).toBe(201);
    const shortId = String(short.body.token_id);
    secretsSeen.push(String(short.body.access_token));
    const tokens = cliJson<TokenView[]>(["tokens", "list", "deploy-bot"]);
    expect(tokens).toHaveLength(5);
    expect(tokens.filter((t) => t.type === "long_term")).toHaveLength(4);
    expect(tokens[0]).toMatchObject({
      id: shortId,
      type: "short_term",
      prefix: null,
      parentId: longToken.token_id,
      // The long-term token was issued with deploy:read, which the client
      // has since lost: a token is worth only the scopes its client still holds.
      scopes: ["tokens:write"],
      revokedAt: null,
    });
    const long = tokens.find((t) => t.id === longToken.token_id);
    expect(long).toMatchObject({ type: "long_term", parentId: null, revokedAt: null });
    expect(longToken.token.startsWith(long?.prefix ?? "-")).toBe(true);
    // Used by the exchange above: an ISO time, not null, not missing.
    expect(long?.lastUsedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const text = runCli(["tokens", "list", client.id], env);
    expect(text.status).toBe(0);
    expect(text.stdout.split("\n")[0]).toMatch(
      /^ID +TYPE +NAME +PREFIX +SCOPES +CREATED +LAST USED +EXPIRES +REVOKED$/,
    );
    expect(text.stdout).toContain(shortId);
    for (const output of [JSON.stringify(tokens), text.stdout]) {
      for (const value of secretsSeen) {
        expect(output).not.toContain(value);
      }
    }
  });

  it("revokes a long-term token with its short-term tokens, idempotently, audited with no client actor", async () => {
    const before = cliJson<TokenView[]>(["tokens", "list", "deploy-bot"]);
    const shortId = before.find((t) => t.parentId === longToken.token_id)?.id ?? "";
    expect(shortId).toMatch(/^st_/);
    const revoked = cliJson<{ id: string; revoked: boolean; revokedTokenIds: string[] }>([
      "tokens",
      "revoke",
      longToken.token_id,
    ]);
    expect(revoked.id).toBe(longToken.token_id);
    expect(revoked.revoked).toBe(true);
    expect([...revoked.revokedTokenIds].sort()).toEqual([longToken.token_id, shortId].sort());
    const refused = await http("GET", "/auth/tokens", { bearer: longToken.token });
    expect(refused).toMatchObject({ status: 401, body: { code: "token_revoked" } });
    const live = cliJson<TokenView[]>(["tokens", "list", "deploy-bot"]).map((t) => t.id);
    expect(live).toHaveLength(before.length - 2);
    expect(live).not.toContain(longToken.token_id);
    expect(live).not.toContain(shortId);
    const all = cliJson<TokenView[]>(["tokens", "list", "deploy-bot", "--all"]);
    expect(all.filter((t) => t.id === longToken.token_id || t.id === shortId)).toEqual([
      expect.objectContaining({ revokedReason: "revoked_by_operator" }),
      expect.objectContaining({ revokedReason: "revoked_by_operator" }),
    ]);

    const again = runCli(["tokens", "revoke", longToken.token_id], env);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(`${longToken.token_id} was already revoked\n`);
    expect(cliJson<{ revoked: boolean }>(["tokens", "revoke", longToken.token_id]).revoked).toBe(
      false,
    );

    const audit = runCli(["audit", "tail", "-n", "20", "--json"], env);
    const events = audit.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; actorUserId: unknown; detail: object })
      .filter((event) => event.type === "token.revoked");
    expect(events).toHaveLength(1);
    expect(events[0]?.actorUserId).toBeNull();
    expect(events[0]?.detail).toEqual({
      tokenId: longToken.token_id,
      clientId: client.id,
      tokensRevoked: 2,
    });
  });

  it("lists no tokens for a client that has none, in JSON and as a bare header", () => {
    expect(cliJson<TokenView[]>(["tokens", "list", "text-bot"])).toEqual([]);
    const text = runCli(["tokens", "list", "text-bot"], env);
    expect(text.status).toBe(0);
    expect(text.stdout.trim().split("\n")).toHaveLength(1);
  });

  it("reports unknown tokens, clients and tenants in one line with exit status 1", () => {
    expect(cliFailure(["tokens", "revoke", "lt_doesnotexist"])).toBe(
      "tessera: No token lt_doesnotexist\n",
    );
    const json = runCli(["tokens", "revoke", "lt_doesnotexist", "--json"], env);
    expect([json.status, JSON.parse(json.stdout), json.stderr]).toEqual([
      1,
      { error: { code: "not_found", message: "No token lt_doesnotexist" } },
      "",
    ]);
    expect(cliFailure(["tokens", "list", "nobody"])).toBe("tessera: No client nobody\n");
    expect(cliFailure(["client", "show", "nobody"])).toBe("tessera: No client nobody\n");
    expect(cliFailure(["client", "rotate-secret", "nobody"])).toBe("tessera: No client nobody\n");
    expect(cliFailure(["client", "show", "deploy-bot", "--tenant", "elsewhere"])).toBe(
      "tessera: No tenant elsewhere\n",
    );
    for (const days of ["12", "forty"]) {
      expect(cliFailure(["client", "add", "bad-bot", "--max-ttl-days", days])).toBe(
        "tessera: --max-ttl-days must be a whole number of days from 30 to 90\n",
      );
    }
  });

  it("keeps a client's tokens out of another tenant's reach", () => {
    expect(runCli(["tenant", "create", "other"], env).status).toBe(0);
    expect(cliFailure(["tokens", "list", "deploy-bot", "--tenant", "other"])).toBe(
      "tessera: No client deploy-bot\n",
    );
    const live = cliJson<TokenView[]>(["tokens", "list", "deploy-bot"]);
    const id = live[0]?.id ?? "";
    expect(id).toMatch(/^lt_/);
    expect(cliFailure(["tokens", "revoke", id, "--tenant", "other"])).toBe(
      `tessera: No token ${id}\n`,
    );
    expect(cliJson<TokenView[]>(["tokens", "list", "deploy-bot"]).map((t) => t.id)).toContain(id);
  });

  it("never lets the server log a secret, OTP seed or token it saw", async () => {
    // Stopped first: the server writes its log asynchronously, and flushes it as it exits.
    await server.stop();
    const output = server.output();
    // The scan means something only if it reads the lines of every request sent.
    expect(requestsSent.length).toBeGreaterThan(10);
    expect(requestsMissingFromLog(output, requestsSent)).toEqual([]);
    for (const value of secretsSeen.filter((s) => s !== "")) {
      expect(output).not.toContain(value);
    }
  });
});
