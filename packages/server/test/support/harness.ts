import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { type Config, loadConfig } from "../../src/config/config.js";
import { createApiKey } from "../../src/core/api-keys.js";
import { ManualClock } from "../../src/core/clock.js";
import type { TenantId } from "../../src/core/ids.js";
import type { RefreshPolicy } from "../../src/core/model/index.js";
import { updateTenant } from "../../src/core/tenants.js";
import { addUser } from "../../src/core/users.js";
import { buildApp } from "../../src/http/app.js";
import { bootstrap } from "../../src/runtime/bootstrap.js";
import { openRuntime, type Runtime } from "../../src/runtime/runtime.js";
import { dropTestSchema, newTestSchema, POSTGRES_URL } from "./services.js";

export const PASSWORD = "correct horse battery staple";
export const TENANT = "default" as TenantId;

/** A server over a real SQLite file in a temp dir, driven through `app.inject()`. */
export interface Harness {
  readonly app: FastifyInstance;
  readonly runtime: Runtime;
  readonly config: Config;
  readonly clock: ManualClock;
  readonly apiKey: string;
  readonly clientId: string;
  readonly dataDir: string;
  /** Adds an active user with {@link PASSWORD} and the given permissions. */
  addUser(username: string, permissions?: string[]): Promise<void>;
  /** `POST /auth/token` with a username and password. */
  login(username: string, password?: string, apiKey?: string): Promise<LightMyRequestResponse>;
  /** Sends JSON with the harness's API key unless `headers` overrides it. */
  send(
    method: "POST" | "DELETE",
    url: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  /**
   * `POST /` to the operations API, JSON, no API key. `authorization` is the
   * whole header value; {@link basic} and {@link bearer} build one.
   */
  operation(body: unknown, authorization?: string): Promise<LightMyRequestResponse>;
  setRefreshPolicy(policy: RefreshPolicy, graceSeconds?: number): Promise<void>;
  close(): Promise<void>;
}

/** True when this run drives the HTTP suites over PostgreSQL (`TESSERA_TEST_STORE=postgres`). */
export const USING_POSTGRES = process.env.TESSERA_TEST_STORE === "postgres";

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), "tessera-test-"));
  // Under TESSERA_TEST_STORE=postgres every harness gets a schema of its own.
  const schema = USING_POSTGRES ? newTestSchema() : undefined;
  const config = loadConfig({
    TESSERA_DATA_DIR: dataDir,
    TESSERA_MASTER_KEY: randomBytes(32).toString("base64"),
    TESSERA_PUBLIC_URL: "https://auth.example.test",
    ...(schema === undefined
      ? {}
      : { TESSERA_DATABASE_URL: POSTGRES_URL, TESSERA_DATABASE_SCHEMA: schema }),
    ...env,
  });
  const dropSchema = async () => {
    if (schema !== undefined) {
      await dropTestSchema(schema);
    }
  };
  const clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
  const runtime = await openRuntime(config, { clock });
  try {
    await bootstrap(runtime.ctx, config);
  } catch (error) {
    await runtime.close();
    await dropSchema();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { key, record } = await createApiKey(runtime.ctx, { tenantId: TENANT, name: "test" });
  return serveHarness({
    runtime,
    config,
    clock,
    dataDir,
    apiKey: key,
    clientId: record.clientId,
    async cleanup() {
      await dropSchema();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/**
 * Another instance of `h`'s deployment: a runtime of its own (its own store
 * connections and its own cache object, on Redis when `h` uses Redis) over
 * the same database, with its own app. Closing it leaves `h` running.
 * PostgreSQL only: two SQLite connections in one process would wait for
 * each other's locks on the one event loop.
 */
export async function startSecondInstance(h: Harness): Promise<Harness> {
  if (h.config.database === undefined) {
    throw new Error("a second instance in this process needs PostgreSQL");
  }
  const runtime = await openRuntime(h.config, { clock: h.clock });
  return serveHarness({
    runtime,
    config: h.config,
    clock: h.clock,
    dataDir: h.dataDir,
    apiKey: h.apiKey,
    clientId: h.clientId,
    async cleanup() {},
  });
}

async function serveHarness(parts: {
  readonly runtime: Runtime;
  readonly config: Config;
  readonly clock: ManualClock;
  readonly dataDir: string;
  readonly apiKey: string;
  readonly clientId: string;
  cleanup(): Promise<void>;
}): Promise<Harness> {
  const { runtime, config, clock, dataDir, apiKey: key, clientId } = parts;
  const app = await buildApp({
    ctx: runtime.ctx,
    defaultTenant: config.defaultTenant,
    operationsTenant: config.operationsTenant,
    tokenApiRateLimits: config.tokenApiRateLimit,
    bodyLimitBytes: config.bodyLimitBytes,
    trustProxy: false,
  });
  const send: Harness["send"] = (method, url, body, headers = {}) =>
    app.inject({
      method,
      url,
      headers: { "content-type": "application/json", "x-api-key": key, ...headers },
      payload: JSON.stringify(body),
    });
  return {
    app,
    runtime,
    config,
    clock,
    dataDir,
    apiKey: key,
    clientId,
    async addUser(username, permissions = []) {
      await addUser(runtime.ctx, { tenantId: TENANT, username, password: PASSWORD, permissions });
    },
    login(username, password = PASSWORD, apiKey = key) {
      return send("POST", "/auth/token", { username, password }, { "x-api-key": apiKey });
    },
    send,
    operation(body, authorization) {
      return app.inject({
        method: "POST",
        url: "/",
        headers: {
          "content-type": "application/json",
          ...(authorization === undefined ? {} : { authorization }),
        },
        payload: JSON.stringify(body),
      });
    },
    async setRefreshPolicy(policy, graceSeconds = 5) {
      await updateTenant(runtime.ctx, TENANT, {
        refreshPolicy: policy,
        refreshGraceSeconds: graceSeconds,
      });
    },
    async close() {
      await app.close();
      await runtime.close();
      await parts.cleanup();
    },
  };
}

/** An `Authorization: Basic` header value. */
export function basic(username: string, password: string = PASSWORD): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/** An `Authorization: Bearer` header value. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}

/** The session part of a 200 response from the session API. */
export interface SessionBody {
  readonly endpointUrl: string;
  readonly clientId: string;
  readonly userPoolId: string;
  readonly username: string;
  readonly password: string;
  readonly session: {
    readonly authorization: string;
    readonly accessToken: string;
    readonly refreshToken: string;
    readonly expireEpoch: number;
  };
}

export function sessionOf(response: LightMyRequestResponse): SessionBody {
  if (response.statusCode !== 200) {
    throw new Error(`expected 200, got ${response.statusCode}: ${response.body}`);
  }
  return response.json<SessionBody>();
}
