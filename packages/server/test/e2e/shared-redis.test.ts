import { randomBytes, randomInt } from "node:crypto";
import { afterEach, expect, it } from "vitest";
import { type Deployment, newDeployment, SessionClient } from "../support/deployment.js";
import { type ServerProcess, startServerProcess } from "../support/processes.js";
import {
  describeWithService,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
} from "../support/services.js";

const PASSWORD = "shared-redis password 0123";
/** Each test starts two servers and runs the CLI four times: slow on a busy machine. */
const TIMEOUT_MS = 120_000;
const MAX_FAILURES_PER_USER_IP = 3;

const postgresUp = await postgresAvailable();
const redisUp = await redisAvailable();

/**
 * Settings every deployment here gets: the one Redis, and no
 * `TESSERA_REDIS_PREFIX`, so each derives its own from its database (or data dir).
 */
const SHARED_REDIS = {
  TESSERA_REDIS_URL: REDIS_URL,
  TESSERA_TRUST_PROXY: "true",
  TESSERA_LOGIN_MAX_FAILURES_PER_USER_IP: String(MAX_FAILURES_PER_USER_IP),
  // Windows are aligned to the clock: a day-long one keeps a test within one.
  TESSERA_LOGIN_WINDOW_SECONDS: "86400",
};

/** A username and a client address of this test's own, so other runs on the same Redis never meet it. */
function stranger(): { username: string; ip: string } {
  return {
    username: `alice-${randomBytes(4).toString("hex")}`,
    ip: `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`,
  };
}

/** Fails `username`'s password from `client` until the answer is 429; the statuses seen. */
async function guessUntilThrottled(client: SessionClient, username: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i <= MAX_FAILURES_PER_USER_IP; i++) {
    statuses.push((await client.login(username, "not the password")).status);
  }
  return statuses;
}

const deployments: Deployment[] = [];
const servers: ServerProcess[] = [];

/** A deployment on the shared Redis with `username` (password {@link PASSWORD}). */
function deployWith(store: "postgres" | "sqlite", username: string): Deployment {
  const deployment = newDeployment({ store, env: SHARED_REDIS });
  deployments.push(deployment);
  deployment.addUser(username, PASSWORD);
  return deployment;
}

/** Starts one more instance of `deployment`; a session API client posing as `ip`. */
async function serve(deployment: Deployment, ip: string): Promise<SessionClient> {
  const server = await startServerProcess(deployment.serverEnv());
  servers.push(server);
  return new SessionClient(server.url, deployment.createApiKey(), { "x-forwarded-for": ip });
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  await Promise.all(deployments.splice(0).map((deployment) => deployment.cleanup()));
});

describeWithService("Redis", redisUp, "deployments sharing one Redis", () => {
  describeWithService("PostgreSQL", postgresUp, "on PostgreSQL", () => {
    it(
      "keeps two deployments' login counters apart: the second still lets alice in",
      async () => {
        const { username, ip } = stranger();
        const onFirst = await serve(deployWith("postgres", username), ip);
        const onSecond = await serve(deployWith("postgres", username), ip);

        expect(await guessUntilThrottled(onFirst, username)).toEqual([401, 401, 401, 429]);

        expect((await onSecond.login(username, PASSWORD)).status).toBe(200);
      },
      TIMEOUT_MS,
    );

    it(
      "shares counters between two instances of one deployment, each with its own data dir",
      async () => {
        const { username, ip } = stranger();
        const deployment = deployWith("postgres", username);
        const onA = await serve(deployment, ip);
        const onB = await serve(deployment, ip);

        expect(await guessUntilThrottled(onA, username)).toEqual([401, 401, 401, 429]);

        expect((await onB.login(username, PASSWORD)).status).toBe(429);
      },
      TIMEOUT_MS,
    );
  });

  it(
    "keeps two SQLite deployments' login counters apart",
    async () => {
      const { username, ip } = stranger();
      const onFirst = await serve(deployWith("sqlite", username), ip);
      const onSecond = await serve(deployWith("sqlite", username), ip);

      expect(await guessUntilThrottled(onFirst, username)).toEqual([401, 401, 401, 429]);

      expect((await onSecond.login(username, PASSWORD)).status).toBe(200);
    },
    TIMEOUT_MS,
  );
});
