import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  AuthApi,
  Configuration,
  type CreateAuthenticationTokensResponse,
  type LongTokenResponse,
  OAuthApi,
  OperationsApi,
  TokenExpiredError,
} from "../src/index.js";
import { closedPort } from "./support/closed-port.js";
import { type ApiKey, createApiKey } from "./support/issue.js";
import {
  addApiKey,
  addClient,
  addUser,
  PASSWORD,
  type ProvisionedClient,
} from "./support/provision.js";
import {
  type Compilation,
  compileRecipes,
  extractRecipes,
  type Recipe,
  runRecipe,
  SDK_PAGE,
} from "./support/recipes.js";
import {
  DEPLOY_AUDIENCE,
  REPORTS_AUDIENCE,
  type ResourceApi,
  startResourceApi,
} from "./support/resource-api.js";
import { startTessera, type Tessera } from "./support/tessera.js";

/*
 * docs/sdk.md's recipes are programs a reader copies as they are: each is
 * taken from the page, type-checked under `strict` with the workspace's
 * tsc, and run as its own Node process against a real `tessera serve`, with
 * the variables it reads. The deploy, reports and profile APIs they call
 * are a local server that verifies every token with the SDK.
 */

const ADMIN = "HDB_ADMIN";

let tessera: Tessera;
let recipes: Recipe[];
let compilation: Compilation;
let api: ResourceApi;
let apiKey: string;
/** The CI job's and the daemon's machine identity, allowed the deploy API's audience. */
let deployer: ProvisionedClient;
/** The OAuth service, allowed the reports API's audience. */
let reportsBot: ProvisionedClient;
/** The web app's API key; its client id is the `aud` of its users' access tokens. */
let webApp: ApiKey;
let scratch: string;

beforeAll(async () => {
  recipes = extractRecipes(readFileSync(SDK_PAGE, "utf8"));
  const compiling = compileRecipes(recipes);
  tessera = await startTessera({
    TESSERA_ADMIN_USERNAME: ADMIN,
    TESSERA_ADMIN_PASSWORD: PASSWORD,
  });
  apiKey = addApiKey(tessera, "ci");
  deployer = addClient(tessera, "ci-deployer", [
    "--scopes",
    "tokens:write,deploy:staging",
    "--audience",
    DEPLOY_AUDIENCE,
  ]);
  reportsBot = addClient(tessera, "reports-bot", [
    "--scopes",
    "reports:read,reports:write",
    "--audience",
    REPORTS_AUDIENCE,
  ]);
  addUser(tessera, "alice");
  webApp = createApiKey(tessera, "web-app");
  api = await startResourceApi(tessera.issuer, webApp.clientId);
  scratch = mkdtempSync(join(tmpdir(), "tessera-recipes-"));
  compilation = await compiling;
}, 240_000);

afterAll(async () => {
  await api?.close();
  await tessera?.stop();
  if (scratch !== undefined) {
    rmSync(scratch, { recursive: true, force: true });
  }
});

/** A token of a client as `tessera tokens list --all --json` shows it. */
interface ListedToken {
  readonly id: string;
  readonly type: "long_term" | "short_term";
  readonly revokedAt: string | null;
  readonly replacedById: string | null;
}

function tokensOf(client: string): ListedToken[] {
  return tessera.cliJson<ListedToken[]>(["tokens", "list", client, "--all"]);
}

function token(client: string, id: string): ListedToken | undefined {
  return tokensOf(client).find((listed) => listed.id === id);
}

/** A long-term token of the deployer, as `POST /auth/tokens/long` answers it. */
async function deployerToken(ttlDays = 30): Promise<LongTokenResponse> {
  const { data } = await new AuthApi(
    new Configuration({ basePath: tessera.url, apiKey }),
  ).issueLongTermToken({
    grant_type: "client_credentials",
    client_id: deployer.id,
    client_secret: deployer.clientSecret,
    ttl_days: ttlDays,
  });
  return data;
}

/** The requests the resource API let through on `route` since `from`. */
function admittedSince(from: number, route: string) {
  return api.admitted.slice(from).filter((entry) => entry.route === route);
}

/** Runs a recipe to its end; fails with what it printed unless it exits 0. */
async function runToEnd(name: string, env: Record<string, string>): Promise<string> {
  const run = runRecipe(name, env);
  const code = await run.exited;
  expect(code, `${name} exited with ${code}:\n${run.stdout()}\nstderr:\n${run.stderr()}`).toBe(0);
  return run.stdout();
}

/** The runs below, one per recipe of the page. */
const RECIPE_NAMES = [
  "seed-style",
  "ci-job",
  "daemon",
  "daemon-oauth",
  "web-backend",
  "harperdb-script",
  "session-web-app",
];

describe("docs/sdk.md", () => {
  it("has the recipes this suite runs, and no other", () => {
    expect(recipes.map((recipe) => recipe.name).sort()).toEqual([...RECIPE_NAMES].sort());
  });

  it("type-checks every recipe under strict, with @tessera/client as the package", () => {
    expect(compilation.output).toBe("");
    expect(compilation.passed).toBe(true);
  });
});

describe("recipe seed-style", () => {
  it("issues, exchanges and revokes as spec 004's client does, and reads the refusal from error.response", async () => {
    const stdout = await runToEnd("seed-style", {
      TESSERA_URL: tessera.url,
      TESSERA_API_KEY: apiKey,
      CLIENT_ID: deployer.id,
      CLIENT_SECRET: deployer.clientSecret,
    });

    const issued = /^201 long-term token (lt_[\w-]+), X-Token-Id (lt_[\w-]+)$/m.exec(stdout);
    expect(issued?.[2]).toBe(issued?.[1]);
    const id = issued?.[1] ?? "";
    expect(stdout).toMatch(/^201 short-term token st_[\w-]+: deploy:staging, 300 s$/m);
    expect(stdout).toContain(`\n204 revoked ${id}\n`);
    expect(stdout).toMatch(
      /^401 token_revoked: Token has been revoked \(request [0-9a-f-]{36}\)$/m,
    );
    expect(token(deployer.id, id)?.revokedAt).not.toBeNull();
  });
});

describe("recipe ci-job", () => {
  it("with a long-term token from a CI secret: deploys, then revokes its short-term token and keeps the secret's", async () => {
    const secret = await deployerToken();
    const from = api.admitted.length;

    const stdout = await runToEnd("ci-job", {
      TESSERA_URL: tessera.url,
      DEPLOY_URL: api.url,
      TESSERA_TOKEN: secret.token,
      VERSION: "1.4.2",
    });

    expect(stdout).toBe(
      `deployed 1.4.2: {"deployed":"1.4.2","by":"${deployer.id}"}\nrevoked the job's tokens\n`,
    );
    const [deploy, ...more] = admittedSince(from, "POST /deploy");
    expect(more).toEqual([]);
    expect(token(deployer.id, deploy?.jti ?? "")?.revokedAt).not.toBeNull();
    expect(token(deployer.id, secret.token_id)?.revokedAt).toBeNull();
  });

  it("with the client secret: issues the job's own long-term token, deploys, and revokes it with its short-term token", async () => {
    const from = api.admitted.length;

    const stdout = await runToEnd("ci-job", {
      TESSERA_URL: tessera.url,
      DEPLOY_URL: api.url,
      TESSERA_API_KEY: apiKey,
      CLIENT_ID: deployer.id,
      CLIENT_SECRET: deployer.clientSecret,
      VERSION: "1.4.3",
    });

    const own = /^issued the job's own long-term token (lt_[\w-]+)$/m.exec(stdout)?.[1] ?? "";
    expect(stdout).toBe(
      [
        `issued the job's own long-term token ${own}`,
        `deployed 1.4.3: {"deployed":"1.4.3","by":"${deployer.id}"}`,
        "revoked the job's tokens",
        "",
      ].join("\n"),
    );
    const [deploy] = admittedSince(from, "POST /deploy");
    expect(token(deployer.id, own)?.revokedAt).not.toBeNull();
    expect(token(deployer.id, deploy?.jti ?? "")?.revokedAt).not.toBeNull();
  });
});

describe("recipe daemon", () => {
  it("rotates a long-term token near its end, saves the new one, revokes the old, and revokes its short-term token on SIGTERM", async () => {
    const first = await deployerToken();
    const tokenFile = join(scratch, "tessera-token.json");
    // The file as the daemon would read it 27 days on: 3 days left, within its rotateBeforeDays (7).
    const nearItsEnd = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString();
    writeFileSync(tokenFile, JSON.stringify({ ...first, expires_at: nearItsEnd }));
    const from = api.admitted.length;

    const daemon = runRecipe("daemon", {
      TESSERA_URL: tessera.url,
      TESSERA_API_KEY: apiKey,
      TOKEN_FILE: tokenFile,
      DEPLOY_URL: api.url,
      INTERVAL_SECONDS: "0.1",
    });
    const rotated = await daemon.waitFor(/^rotated to (lt_[\w-]+), expires (\S+)$/m);
    await daemon.waitFor(/(^status 200: .*\n){3}/m);
    expect(await daemon.stop()).toBe(0);

    const next = JSON.parse(readFileSync(tokenFile, "utf8")) as LongTokenResponse;
    expect(next).toMatchObject({ token_id: rotated[1], expires_at: rotated[2] });
    expect(next.token).toMatch(/^tsr_lt_/);
    expect(daemon.stdout()).toMatch(
      new RegExp(`^status 200: \\{"ok":true,"by":"${deployer.id}"\\}$`, "m"),
    );
    expect(daemon.stdout().endsWith("stopped\n")).toBe(true);
    expect(token(deployer.id, first.token_id)).toMatchObject({
      replacedById: next.token_id,
      revokedAt: expect.any(String),
    });
    expect(
      new Date(token(deployer.id, first.token_id)?.revokedAt ?? "").getTime(),
    ).toBeLessThanOrEqual(Date.now());
    expect(token(deployer.id, next.token_id)?.revokedAt).toBeNull();
    // One short-term token served every round, and SIGTERM revoked it.
    const used = new Set(admittedSince(from, "GET /status").map((entry) => entry.jti));
    expect(used.size).toBe(1);
    expect(token(deployer.id, [...used][0] ?? "")?.revokedAt).not.toBeNull();
  });
});

describe("recipe daemon-oauth", () => {
  it("reads reports with one cached access token, and revokes it on SIGTERM", async () => {
    const from = api.admitted.length;
    const daemon = runRecipe("daemon-oauth", {
      TESSERA_URL: tessera.url,
      CLIENT_ID: reportsBot.id,
      CLIENT_SECRET: reportsBot.clientSecret,
      REPORTS_URL: api.url,
      INTERVAL_SECONDS: "0.1",
    });
    await daemon.waitFor(/(^reports 200: .*\n){3}/m);
    expect(await daemon.stop()).toBe(0);

    expect(daemon.stdout()).toMatch(
      new RegExp(`^reports 200: \\{"reports":\\["2026-q3"\\],"by":"${reportsBot.id}"\\}$`, "m"),
    );
    expect(daemon.stdout().endsWith("stopped\n")).toBe(true);
    const used = admittedSince(from, "GET /reports");
    expect(new Set(used.map((entry) => entry.token)).size).toBe(1);
    const oauth = new OAuthApi(
      new Configuration({
        basePath: tessera.url,
        username: reportsBot.id,
        password: reportsBot.clientSecret,
      }),
    );
    const { data } = await oauth.introspect({ token: used[0]?.token ?? "" }, "default");
    expect(data.active).toBe(false);
  });
});

describe("recipe web-backend", () => {
  const oauth = () =>
    new OAuthApi(
      new Configuration({
        basePath: tessera.url,
        username: reportsBot.id,
        password: reportsBot.clientSecret,
      }),
    );
  async function reportsToken(scope: string): Promise<string> {
    const { data } = await oauth().token(
      { grant_type: "client_credentials", scope, resource: [REPORTS_AUDIENCE] },
      "default",
    );
    return data.access_token;
  }
  const call = (base: string, route: string, authorization?: string) => {
    const [method = "GET", path = "/"] = route.split(" ");
    return fetch(`${base}${path}`, {
      method,
      headers: authorization === undefined ? {} : { authorization },
    });
  };

  it("answers 200, 201, 400, 401 and 403 as the page's table says", async () => {
    const server = runRecipe("web-backend", { TESSERA_ISSUER: tessera.issuer, PORT: "0" });
    try {
      const base = (await server.waitFor(/^reports API listening on (http:\S+)$/m))[1] ?? "";
      const read = await reportsToken("reports:read");
      const write = await reportsToken("reports:read reports:write");

      expect((await call(base, "GET /healthz")).status).toBe(200);

      const ok = await call(base, "GET /reports", `Bearer ${read}`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ reports: ["2026-q3", "2026-q4"], for: reportsBot.id });

      const created = await call(base, "POST /reports", `Bearer ${write}`);
      expect(created.status).toBe(201);
      expect(await created.json()).toEqual({ created: true, by: reportsBot.id });

      const none = await call(base, "GET /reports");
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toBe("Bearer");

      const malformed = await call(base, "GET /reports", "Bearer two words");
      expect(malformed.status).toBe(400);
      expect(malformed.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_request"/);

      // Another audience's token, and a machine's short-term token (automation+jwt).
      const { data: elsewhere } = await oauth().token(
        { grant_type: "client_credentials" },
        "default",
      );
      const long = await deployerToken();
      const { data: short } = await new AuthApi(
        new Configuration({ basePath: tessera.url, accessToken: long.token }),
      ).issueShortTermToken({ audience: DEPLOY_AUDIENCE });
      for (const wrong of [elsewhere.access_token, short.access_token, "abc.def.ghi"]) {
        const refused = await call(base, "GET /reports", `Bearer ${wrong}`);
        expect(refused.status).toBe(401);
        expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token"/);
      }

      const scopeless = await call(base, "POST /reports", `Bearer ${read}`);
      expect(scopeless.status).toBe(403);
      expect(scopeless.headers.get("www-authenticate")).toMatch(
        /^Bearer error="insufficient_scope", .*scope="reports:read reports:write"$/,
      );
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it("answers 503 without a challenge when the issuer cannot be reached", async () => {
    const stranded = runRecipe("web-backend", {
      TESSERA_ISSUER: `http://127.0.0.1:${await closedPort()}/tenants/default`,
      PORT: "0",
    });
    try {
      const base = (await stranded.waitFor(/^reports API listening on (http:\S+)$/m))[1] ?? "";
      const response = await call(
        base,
        "GET /reports",
        `Bearer ${await reportsToken("reports:read")}`,
      );
      expect(response.status).toBe(503);
      expect(response.headers.get("www-authenticate")).toBeNull();
      expect(await response.json()).toMatchObject({ error: "temporarily_unavailable" });
    } finally {
      expect(await stranded.stop()).toBe(0);
    }
  });
});

describe("recipe harperdb-script", () => {
  const env = (tokensFile: string) => ({
    TESSERA_URL: tessera.url,
    HDB_USERNAME: ADMIN,
    HDB_PASSWORD: PASSWORD,
    TOKENS_FILE: tokensFile,
  });

  it("logs in on its first run, keeps its tokens in the file, and adds its role once", async () => {
    const tokensFile = join(scratch, "hdb-first.json");

    const first = await runToEnd("harperdb-script", env(tokensFile));

    expect(first).toMatch(
      new RegExp(
        `^logged in\nsigned in as ${ADMIN}, role super_user\nadded role reporting\nusers: .*\\b${ADMIN}\\b.*\n$`,
      ),
    );
    const saved = JSON.parse(
      readFileSync(tokensFile, "utf8"),
    ) as CreateAuthenticationTokensResponse;
    expect(Object.keys(saved).sort()).toEqual(["operation_token", "refresh_token"]);

    const second = await runToEnd("harperdb-script", env(tokensFile));
    expect(second).toMatch(new RegExp(`^signed in as ${ADMIN}, role super_user\nusers: .*\n$`));
  });

  it("refreshes an operation token the server says has expired, and saves it", async () => {
    const tokensFile = join(scratch, "hdb-expired.json");
    const { data: tokens } = await new OperationsApi(
      new Configuration({ basePath: tessera.url }),
    ).createAuthenticationTokens({ username: ADMIN, password: PASSWORD, expires_in: 1 });
    writeFileSync(tokensFile, JSON.stringify(tokens));
    // The token's one second passes on the server's clock; no test clock reaches a real server.
    const asExpired = new OperationsApi(
      new Configuration({ basePath: tessera.url, accessToken: tokens.operation_token }),
    );
    await vi.waitFor(
      async () => {
        await expect(asExpired.userInfo()).rejects.toBeInstanceOf(TokenExpiredError);
      },
      { timeout: 10_000, interval: 250 },
    );

    const stdout = await runToEnd("harperdb-script", env(tokensFile));

    expect(stdout).toMatch(
      new RegExp(
        `^the operation token had expired: refreshed it\nsigned in as ${ADMIN}, role super_user\n`,
      ),
    );
    expect(stdout).not.toContain("logged in");
    const saved = JSON.parse(
      readFileSync(tokensFile, "utf8"),
    ) as CreateAuthenticationTokensResponse;
    expect(saved.refresh_token).toBe(tokens.refresh_token);
    expect(saved.operation_token).not.toBe(tokens.operation_token);
  });
});

describe("recipe session-web-app", () => {
  it("signs alice in, calls the profile API with one cached access token, and ends her session at logout", async () => {
    const app = runRecipe("session-web-app", {
      TESSERA_URL: tessera.url,
      TESSERA_API_KEY: webApp.key,
      API_URL: api.url,
      PORT: "0",
    });
    try {
      const base = (await app.waitFor(/^web app listening on (http:\S+)$/m))[1] ?? "";
      const login = (password: string) =>
        fetch(`${base}/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ username: "alice", password }),
        });

      const refused = await login("not her password");
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ error: "Wrong username or password" });

      const signedIn = await login(PASSWORD);
      expect(signedIn.status).toBe(200);
      expect(await signedIn.json()).toEqual({ username: "alice" });
      const cookie = /^sid=[\w-]+/.exec(signedIn.headers.get("set-cookie") ?? "")?.[0] ?? "";
      expect(cookie).not.toBe("");

      const from = api.admitted.length;
      const profiles = await Promise.all(
        [1, 2, 3].map(() => fetch(`${base}/profile`, { headers: { cookie } })),
      );
      for (const profile of profiles) {
        expect(profile.status).toBe(200);
        expect(await profile.json()).toEqual({ username: "alice" });
      }
      const seen = admittedSince(from, "GET /profile");
      expect(seen).toHaveLength(3);
      expect(new Set(seen.map((entry) => entry.jti)).size).toBe(1);

      const logout = await fetch(`${base}/logout`, { method: "POST", headers: { cookie } });
      expect(logout.status).toBe(204);
      const after = await fetch(`${base}/profile`, { headers: { cookie } });
      expect(after.status).toBe(401);
      expect(await after.json()).toEqual({ error: "Sign in first" });

      const sessions = tessera.cliJson<{ id: string; revokedReason: string | null }[]>([
        "sessions",
        "list",
        "--user",
        "alice",
        "--all",
      ]);
      expect(sessions.find((session) => session.id === seen[0]?.sid)?.revokedReason).toBe("logout");
    } finally {
      expect(await app.stop()).toBe(0);
    }
  });
});
