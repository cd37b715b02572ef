/**
 * One client model in the CLI, run as a user runs it (the built `tessera`
 * on a data dir): `apikey create` and `client list` agree, a client may get
 * a readable id, grant types and an auth method, and contradictions are
 * refused in one line that changes nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/processes.js";

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
let dataDir: string;
let env: Record<string, string>;

interface ClientView {
  readonly id: string;
  readonly name: string;
  readonly grantTypes: string[];
  readonly tokenEndpointAuthMethod: string;
  readonly apiKeys?: number;
  readonly secretPrefix: string | null;
  readonly clientSecret?: string;
}

interface KeyView {
  readonly id: string;
  readonly clientId: string;
  readonly clientName: string;
  readonly clientCreated: boolean;
  readonly key: string;
}

function cliJson<T>(args: string[]): T {
  const result = runCli([...args, "--json"], env);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/** A command that must fail: exit 1, nothing on stdout, one `tessera:` line on stderr. */
function cliFailure(args: string[]): string {
  const result = runCli(args, env);
  expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 1, stdout: "" });
  expect(result.stderr).toMatch(/^tessera: [^\n]+\n$/);
  return result.stderr;
}

const listed = () => cliJson<ClientView[]>(["client", "list"]);

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "tessera-e2e-aggregate-"));
  env = { TESSERA_DATA_DIR: dataDir, TESSERA_PUBLIC_URL: "https://auth.example.test" };
  // Only init (or serve) makes a data dir: every other command needs one.
  const init = runCli(["init"], env);
  expect(init.status, init.stderr).toBe(0);
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe("tessera apikey and tessera client: one client model", () => {
  let webApp: KeyView;

  it("makes a public client for a key created without --client, and client list shows it", () => {
    webApp = cliJson<KeyView>(["apikey", "create", "--name", "web app"]);
    expect(webApp).toMatchObject({ clientName: "web-app", clientCreated: true });

    // Beside the CLI's own tessera-cli, which every tenant has.
    expect(listed()).toEqual([
      expect.objectContaining({ id: "tessera-cli", apiKeys: 0 }),
      expect.objectContaining({
        id: webApp.clientId,
        name: "web-app",
        grantTypes: ["password", "refresh_token"],
        tokenEndpointAuthMethod: "none",
        apiKeys: 1,
        secretPrefix: null,
      }),
    ]);
  });

  it("says in text which client a key went to, and that it was made for it", () => {
    const result = runCli(["apikey", "create", "--name", "web app"], env);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^API key ak_\S+ for client [0-9a-z]{26} \(web-app-2, tenant default\):\n/,
    );
    expect(result.stdout).toContain(
      "Client web-app-2 was created for it: public (no secret), grant types password, refresh_token.",
    );
  });

  it("adds a key to an existing client with --client, by name or id, and counts it", () => {
    const byName = cliJson<KeyView>(["apikey", "create", "--client", "web-app"]);
    const byId = cliJson<KeyView>(["apikey", "create", "--client-id", webApp.clientId]);
    expect(byName).toMatchObject({ clientId: webApp.clientId, clientCreated: false });
    expect(byId).toMatchObject({ clientId: webApp.clientId, clientCreated: false });

    const shown = cliJson<ClientView>(["client", "show", "web-app"]);
    expect(shown.apiKeys).toBe(3);
    const text = runCli(["client", "show", webApp.clientId], env).stdout;
    expect(text).toMatch(/\n {2}api keys {8}3\n/);
    expect(text).toMatch(/\n {2}auth method {5}none \(public client\)\n/);
    expect(text).toMatch(/\n {2}secret prefix {3}none \(no secret\)\n/);
  });

  it("refuses --client naming no client of the tenant, saying which option and what to do", () => {
    const before = listed();
    expect(cliFailure(["apikey", "create", "--client", "ghost"])).toBe(
      "tessera: --client ghost: tenant default has no such client. Register it first with `tessera client add <name>`, or leave --client out to make a new client for this key\n",
    );
    expect(listed()).toEqual(before);
    expect(cliJson<unknown[]>(["apikey", "list"])).toHaveLength(4);
  });

  it("adds a client under a readable id, and refuses that id again", () => {
    const added = cliJson<ClientView>(["client", "add", "ci-bot", "--id", "ci-bot"]);
    expect(added).toMatchObject({
      id: "ci-bot",
      name: "ci-bot",
      grantTypes: ["client_credentials", JWT_BEARER],
      tokenEndpointAuthMethod: "client_secret_basic",
      clientSecret: expect.stringMatching(/^tsr_cs_/),
    });
    expect(cliFailure(["client", "add", "other-bot", "--id", "ci-bot"])).toBe(
      "tessera: The tenant already has a client with id ci-bot\n",
    );
    expect(cliFailure(["client", "add", "colon-bot", "--id", "ci:bot"])).toMatch(
      /^tessera: Client id ci:bot is not valid: a client id is 1-64 letters/,
    );
  });

  it("adds a public client with --public and chosen grants, printing no secret", () => {
    const result = runCli(
      ["client", "add", "spa", "--public", "--grant-types", "password,refresh_token"],
      env,
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).not.toContain("tsr_cs_");
    expect(result.stdout).not.toContain("shown once");
    const spa = cliJson<ClientView>(["client", "show", "spa"]);
    expect(spa).toMatchObject({ tokenEndpointAuthMethod: "none", secretPrefix: null });
    expect(spa).not.toHaveProperty("clientSecret");
  });

  it.each([
    [
      ["client", "add", "x1", "--public", "--auth-method", "private_key_jwt"],
      "tessera: --public makes a public client (auth method none), which contradicts --auth-method private_key_jwt\n",
    ],
    [
      ["client", "add", "x2", "--public", "--grant-types", "client_credentials"],
      "tessera: A public client (auth method none) cannot use the client_credentials grant: that grant needs a client that authenticates\n",
    ],
    [
      ["client", "add", "x3", "--auth-method", "private_key_jwt"],
      "tessera: The auth method private_key_jwt needs at least one registered public key\n",
    ],
    [
      ["client", "add", "x4", "--grant-types", "implicit"],
      "tessera: Unknown grant type implicit; the grant types are password, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:token-exchange, urn:ietf:params:oauth:grant-type:jwt-bearer\n",
    ],
    [
      ["client", "add", "x5", "--audiences", "https://a.example.test", "--audience", "https://b"],
      "tessera: --audiences gives the whole list; it cannot be combined with --audience or --no-audience\n",
    ],
    [
      ["client", "update", "ci-bot", "--public"],
      "tessera: A public client (auth method none) cannot use the client_credentials grant: that grant needs a client that authenticates\n",
    ],
  ])("refuses %j in one line, creating and changing nothing", (args, message) => {
    const before = listed();
    expect(cliFailure(args)).toBe(message);
    expect(listed()).toEqual(before);
  });

  it("turns a client public and back: the secret goes, and a new one is shown once", () => {
    const made = runCli(
      ["client", "update", "ci-bot", "--public", "--grant-types", "password,refresh_token"],
      env,
    );
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toContain("Its secret was removed: it no longer works");
    expect(cliJson<ClientView>(["client", "show", "ci-bot"]).secretPrefix).toBeNull();

    const back = cliJson<ClientView>([
      "client",
      "update",
      "ci-bot",
      "--auth-method",
      "client_secret_post",
      "--grant-types",
      "client_credentials",
      "--audiences",
      "https://deploy.example.test,urn:example:billing",
    ]);
    expect(back).toMatchObject({
      tokenEndpointAuthMethod: "client_secret_post",
      grantTypes: ["client_credentials"],
      clientSecret: expect.stringMatching(/^tsr_cs_/),
      audiences: ["https://deploy.example.test", "urn:example:billing"],
    });
    expect(back.secretPrefix).toBe(back.clientSecret?.slice(0, 12));
  });

  it("lists every client with its grant types, auth method and API keys in text", () => {
    const text = runCli(["client", "list"], env).stdout;
    const [header, ...rows] = text.trimEnd().split("\n");
    expect(header).toMatch(
      /^NAME +ID +STATUS +GRANT TYPES +AUTH METHOD +API KEYS +SCOPES +AUDIENCES +MAX TTL +OTP +PUBLIC KEYS +CREATED$/,
    );
    expect(rows.map((row) => row.split(/ +/)[0])).toEqual([
      "ci-bot",
      "spa",
      "tessera-cli",
      "web-app",
      "web-app-2",
    ]);
    expect(text).toMatch(/\nweb-app +[0-9a-z]{26} +active +password,refresh_token +none +3 /);
    expect(text).toMatch(/\nci-bot +ci-bot +active +client_credentials +client_secret_post +0 /);
  });
});
