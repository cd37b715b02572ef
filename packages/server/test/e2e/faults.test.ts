import { randomBytes, randomInt } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type ApiResponse,
  type Deployment,
  eventually,
  newDeployment,
  readiness,
  SessionClient,
  tokensOf,
} from "../support/deployment.js";
import { type ServerProcess, startServerProcess } from "../support/processes.js";
import {
  describeWithService,
  POSTGRES_URL,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
} from "../support/services.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

const PASSWORD = "faults password 0123";
const MAX_FAILURES_PER_IP = 4;

const postgresUp = await postgresAvailable();
const redisUp = await redisAvailable();

/** An address of its own for each test, so counters in the shared Redis never meet. */
function clientIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

function hostAndPort(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: parsed.port === "" ? defaultPort : Number(parsed.port) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Every answer that is neither a success nor a 503 telling the client when to retry. */
function unexpected(answers: readonly ApiResponse[]): unknown[] {
  return answers
    .filter(
      (answer) =>
        answer.status !== 200 &&
        !(answer.status === 503 && answer.headers.get("retry-after") === "1"),
    )
    .map((answer) => ({ status: answer.status, body: answer.body }));
}

/** What a dead server printed last, without its request log. */
function crashReport(server: ServerProcess): string {
  const lines = server
    .output()
    .split("\n")
    .filter((line) => !/^\{"level":(20|30),/.test(line));
  return `the server died:\n${lines.join("\n").slice(-2000)}`;
}

/**
 * Stops the server, so that its asynchronously written log is all there,
 * then fails the test if it printed a stack trace or an error-level line.
 */
async function expectNoInternalErrors(server: ServerProcess): Promise<void> {
  await server.stop();
  const errors = server
    .output()
    .split("\n")
    .filter((line) => /"level":(50|60)/.test(line) || /^\s+at .+:\d+:\d+\)?$/.test(line));
  expect(errors).toEqual([]);
}

/**
 * Logs in and revokes as fast as four clients can until `shouldKill` says so,
 * SIGKILLs the server mid-burst, and returns what it acknowledged.
 */
async function burstThenKill(
  server: ServerProcess,
  client: SessionClient,
  shouldKill: (acknowledged: number) => boolean,
): Promise<{ kept: string[]; revoked: string[]; lost: number }> {
  const kept: string[] = [];
  const revoked: string[] = [];
  let lost = 0;
  let killed = false;
  const kill = () => {
    if (!killed && shouldKill(kept.length + revoked.length)) {
      killed = true;
      server.child.kill("SIGKILL");
    }
  };
  const worker = async (index: number) => {
    for (let round = 0; !killed; round++) {
      try {
        const login = await client.login("alice", PASSWORD);
        if (login.status !== 200) {
          throw new Error(`login answered ${login.status}: ${JSON.stringify(login.body)}`);
        }
        const { refreshToken } = tokensOf(login);
        if ((round + index) % 2 === 0) {
          kept.push(refreshToken);
        } else {
          const revoke = await client.revoke(refreshToken);
          if (revoke.status !== 200) {
            throw new Error(`revoke answered ${revoke.status}: ${JSON.stringify(revoke.body)}`);
          }
          revoked.push(refreshToken);
        }
        kill();
      } catch (error) {
        if (!killed) {
          throw error;
        }
        lost += 1;
      }
    }
  };
  await Promise.all([0, 1, 2, 3].map(worker));
  await new Promise<void>((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      resolve();
    } else {
      server.child.once("exit", () => resolve());
    }
  });
  expect(server.child.signalCode).toBe("SIGKILL");
  return { kept, revoked, lost };
}

/** Starts a new process on the deployment and checks every acknowledged write is there. */
async function expectAcknowledgedWritesSurvive(
  deployment: Deployment,
  apiKey: string,
  acknowledged: { kept: string[]; revoked: string[]; lost: number },
): Promise<void> {
  // Requests were in flight when the process died: the crash came mid-burst.
  expect(acknowledged.lost).toBeGreaterThan(0);
  expect(acknowledged.kept.length).toBeGreaterThan(0);
  expect(acknowledged.revoked.length).toBeGreaterThan(0);
  const restarted = await startServerProcess(deployment.serverEnv());
  try {
    const client = new SessionClient(restarted.url, apiKey);
    const keptAnswers = await Promise.all(acknowledged.kept.map((token) => client.refresh(token)));
    expect(keptAnswers.map((answer) => answer.status)).toEqual(acknowledged.kept.map(() => 200));
    const revokedAnswers = await Promise.all(
      acknowledged.revoked.map((token) => client.refresh(token)),
    );
    expect(revokedAnswers.map((answer) => [answer.status, answer.body.message])).toEqual(
      acknowledged.revoked.map(() => [401, "Refresh token has been revoked"]),
    );
  } finally {
    await restarted.stop();
  }
}

describeWithService("PostgreSQL", postgresUp, "faults of PostgreSQL", () => {
  describeWithService("Redis", redisUp, "with Redis", () => {
    describe("connections dropped and the database unreachable", () => {
      // Servers reach PostgreSQL through a proxy a test can cut, and name their
      // connections, so only theirs are terminated: other suites sharing this
      // PostgreSQL keep their own.
      const applicationName = `tessera_faults_${randomBytes(4).toString("hex")}`;
      let proxy: TcpProxy;
      let deployment: Deployment;
      let keeper: pg.Client;
      let apiKey: string;
      let server: ServerProcess | undefined;

      beforeAll(async () => {
        proxy = await startTcpProxy(hostAndPort(POSTGRES_URL, 5432));
        const databaseUrl = new URL(POSTGRES_URL);
        databaseUrl.hostname = "127.0.0.1";
        databaseUrl.port = String(proxy.port);
        databaseUrl.searchParams.set("application_name", applicationName);
        deployment = newDeployment({
          env: { TESSERA_REDIS_URL: REDIS_URL, TESSERA_TRUST_PROXY: "true" },
          serverEnv: { TESSERA_DATABASE_URL: databaseUrl.toString() },
        });
        apiKey = deployment.createApiKey();
        deployment.addUser("alice", PASSWORD);
        const policy = deployment.cli([
          "tenant",
          "update",
          "default",
          "--refresh-policy",
          "rotate",
          "--refresh-grace-seconds",
          "60",
        ]);
        expect(policy.status).toBe(0);
        keeper = new pg.Client({ connectionString: POSTGRES_URL, application_name: "keep" });
        await keeper.connect();
      });

      afterEach(async () => {
        await proxy.reopen();
        await server?.stop();
        server = undefined;
      });

      afterAll(async () => {
        await keeper?.end();
        await proxy?.close();
        await deployment?.cleanup();
      });

      async function startServer(): Promise<[ServerProcess, SessionClient]> {
        server = await startServerProcess(deployment.serverEnv());
        return [server, new SessionClient(server.url, apiKey, { "x-forwarded-for": clientIp() })];
      }

      it("answers 200 or 503 with Retry-After while its connections are terminated, and every token it issued is real", async () => {
        const [running, client] = await startServer();
        const answers: ApiResponse[] = [];
        const issued: string[][] = [];
        let terminated = 0;
        // Bounded in count and time: keep going until both outcomes have been
        // seen often enough (however slow the machine), or 30 s have passed.
        const until = Date.now() + 30_000;
        const seen = (status: number) =>
          answers.filter((answer) => answer.status === status).length;
        const enough = () => terminated > 0 && seen(503) > 0 && seen(200) > 10;
        const going = () => Date.now() < until && running.child.exitCode === null && !enough();

        const terminate = async () => {
          while (going()) {
            const result = await keeper.query<{ n: number }>(
              `select count(*)::int as n from (
                 select pg_terminate_backend(pid) from pg_stat_activity
                 where application_name = $1 and pid <> pg_backend_pid()
               ) as killed`,
              [applicationName],
            );
            terminated += result.rows[0]?.n ?? 0;
            // Let the server get a few answers through its new connections
            // before cutting them again, so a slow machine still sees both.
            const before = seen(200);
            do {
              await sleep(100);
            } while (going() && seen(200) < before + 3);
          }
        };
        const chain = async () => {
          while (going()) {
            const login = await client.login("alice", PASSWORD);
            answers.push(login);
            if (login.status !== 200) {
              continue;
            }
            const lineage = [tokensOf(login).refreshToken];
            issued.push(lineage);
            // Rotate it a few times; after a 503 the client retries the same token.
            for (let i = 0; i < 3 && going(); ) {
              const refresh = await client.refresh(lineage[lineage.length - 1] ?? "");
              answers.push(refresh);
              if (refresh.status === 200) {
                lineage.push(tokensOf(refresh).refreshToken);
                i++;
              }
            }
          }
        };
        await Promise.all([terminate(), chain(), chain(), chain(), chain()]);

        expect(running.child.exitCode, crashReport(running)).toBeNull();
        expect(unexpected(answers)).toEqual([]);
        expect(terminated).toBeGreaterThan(0);
        const statuses = answers.map((answer) => answer.status);
        expect(statuses.filter((status) => status === 503).length).toBeGreaterThan(0);
        expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(10);

        // Ready again without a restart, and serving.
        expect(await eventually(async () => (await readiness(running.url)).status === 200)).toBe(
          true,
        );
        expect((await client.login("alice", PASSWORD)).status).toBe(200);
        // Every refresh token answered with 200 was persisted: each refreshes now
        // (the rotated ones, inside the grace window, answer with their successor).
        const rechecked = await Promise.all(
          issued.map(async (lineage) => {
            const found: number[] = [];
            for (const token of lineage) {
              found.push((await client.refresh(token)).status);
            }
            return found;
          }),
        );
        expect(rechecked).toEqual(issued.map((lineage) => lineage.map(() => 200)));
        await expectNoInternalErrors(running);
      }, 90_000);

      it("answers 503 with Retry-After while the database is unreachable, and recovers without a restart", async () => {
        const [running, client] = await startServer();
        const before = tokensOf(await client.login("alice", PASSWORD));
        await proxy.cut();
        try {
          const startedAt = Date.now();
          const during = [
            await client.login("alice", PASSWORD),
            await client.refresh(before.refreshToken),
            await client.revoke(before.refreshToken),
          ];
          expect(
            during.map((answer) => [answer.status, answer.headers.get("retry-after")]),
          ).toEqual([
            [503, "1"],
            [503, "1"],
            [503, "1"],
          ]);
          expect(during[0]?.body).toEqual({
            status: "error",
            message: "The service is temporarily unavailable; try again",
          });
          const ready = await readiness(running.url);
          expect([ready.status, ready.headers.get("retry-after")]).toEqual([503, "1"]);
          expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
          // Refused quickly, not queued behind a dead database.
          expect(Date.now() - startedAt).toBeLessThan(10_000);
        } finally {
          await proxy.reopen();
        }

        expect(await eventually(async () => (await readiness(running.url)).status === 200)).toBe(
          true,
        );
        expect((await client.refresh(before.refreshToken)).status).toBe(200);
        expect((await client.login("alice", PASSWORD)).status).toBe(200);
        expect(running.child.exitCode).toBeNull();
        await expectNoInternalErrors(running);
      });

      it("answers every request in flight when the database goes away with 503 and Retry-After, and keeps running", async () => {
        const [running, client] = await startServer();
        const before = tokensOf(await client.login("alice", PASSWORD));
        // From here PostgreSQL hears nothing more from the server: each request
        // below stalls on its first query, its connection's data held at the proxy.
        proxy.hold();
        let answered = 0;
        const inFlight = Array.from({ length: 8 }, async (_, i) => {
          const answer = await (i % 2 === 0
            ? client.login("alice", PASSWORD)
            : client.refresh(before.refreshToken));
          answered += 1;
          return answer;
        });
        let holding = false;
        await Promise.race([
          proxy.whenHolding(inFlight.length).then(() => {
            holding = true;
          }),
          Promise.all(inFlight),
        ]);
        // At the cut: every request is waiting on the database, none answered.
        const atCut = { holding, answered };
        await proxy.cut();
        const answers = await Promise.all(inFlight);
        await proxy.reopen();

        expect(atCut).toEqual({ holding: true, answered: 0 });
        expect(running.child.exitCode, crashReport(running)).toBeNull();
        expect(answers.map((answer) => [answer.status, answer.headers.get("retry-after")])).toEqual(
          inFlight.map(() => [503, "1"]),
        );
        expect(await eventually(async () => (await readiness(running.url)).status === 200)).toBe(
          true,
        );
        // Nothing the stalled refreshes did was kept: the token still refreshes.
        expect((await client.refresh(before.refreshToken)).status).toBe(200);
        expect((await client.login("alice", PASSWORD)).status).toBe(200);
        await expectNoInternalErrors(running);
      });
    });

    describe("Redis unreachable, then back", () => {
      let proxy: TcpProxy;
      let deployment: Deployment;
      let a: ServerProcess;
      let b: ServerProcess;
      let apiKey: string;

      beforeAll(async () => {
        proxy = await startTcpProxy(hostAndPort(REDIS_URL, 6379));
        deployment = newDeployment({
          serverEnv: { TESSERA_REDIS_URL: `redis://127.0.0.1:${proxy.port}` },
          env: {
            TESSERA_TRUST_PROXY: "true",
            TESSERA_LOGIN_MAX_FAILURES_PER_IP: String(MAX_FAILURES_PER_IP),
            // Windows are aligned to the clock: a day-long one keeps a test within one.
            TESSERA_LOGIN_WINDOW_SECONDS: "86400",
          },
        });
        a = await startServerProcess(deployment.serverEnv());
        b = await startServerProcess(deployment.serverEnv());
        apiKey = deployment.createApiKey();
        deployment.addUser("alice", PASSWORD);
      });

      afterAll(async () => {
        await Promise.all([a?.stop(), b?.stop()]);
        await proxy?.close();
        await deployment?.cleanup();
      });

      function clientsFrom(ip: string): [SessionClient, SessionClient] {
        const headers = { "x-forwarded-for": ip };
        return [
          new SessionClient(a.url, apiKey, headers),
          new SessionClient(b.url, apiKey, headers),
        ];
      }

      async function fail(client: SessionClient): Promise<number> {
        return (await client.login(`mallory-${randomBytes(4).toString("hex")}`, "nope")).status;
      }

      async function cacheOf(url: string): Promise<Record<string, unknown>> {
        return (await readiness(url)).body.cache as Record<string, unknown>;
      }

      it("keeps serving with limits per instance while Redis is away, and shares them again when it returns", async () => {
        expect(await cacheOf(a.url)).toMatchObject({ backend: "redis", degraded: false });

        await proxy.cut();
        try {
          for (const server of [a, b]) {
            expect(
              await eventually(async () => (await cacheOf(server.url)).degraded === true),
            ).toBe(true);
            const ready = await readiness(server.url);
            expect(ready.status).toBe(200);
            // The log is written asynchronously: the line follows the state.
            expect(
              await eventually(async () => server.output().includes('"event":"cache_degraded"')),
            ).toBe(true);
          }
          const [onA, onB] = clientsFrom(clientIp());
          expect((await onA.login("alice", PASSWORD)).status).toBe(200);
          expect((await onB.login("alice", PASSWORD)).status).toBe(200);
          // Each instance enforces the limit on its own: A blocks after 4, B still counts its own 4.
          const onlyA: number[] = [];
          for (let i = 0; i <= MAX_FAILURES_PER_IP; i++) {
            onlyA.push(await fail(onA));
          }
          expect(onlyA).toEqual([401, 401, 401, 401, 429]);
          const thenB: number[] = [];
          for (let i = 0; i <= MAX_FAILURES_PER_IP; i++) {
            thenB.push(await fail(onB));
          }
          expect(thenB).toEqual([401, 401, 401, 401, 429]);
        } finally {
          await proxy.reopen();
        }

        for (const server of [a, b]) {
          expect(await eventually(async () => (await cacheOf(server.url)).degraded === false)).toBe(
            true,
          );
          expect(await cacheOf(server.url)).toMatchObject({ degraded: false, outages: 1 });
          expect(
            await eventually(async () => server.output().includes('"event":"cache_restored"')),
          ).toBe(true);
        }
        const [onA, onB] = clientsFrom(clientIp());
        const shared: number[] = [];
        for (let i = 0; i < MAX_FAILURES_PER_IP + 2; i++) {
          shared.push(await fail(i % 2 === 0 ? onA : onB));
        }
        expect(shared).toEqual([401, 401, 401, 401, 429, 429]);
      });
    });

    describe("kill -9 under load, on PostgreSQL", () => {
      let deployment: Deployment;
      let server: ServerProcess;
      let apiKey: string;

      beforeAll(async () => {
        deployment = newDeployment({
          env: { TESSERA_REDIS_URL: REDIS_URL, TESSERA_TRUST_PROXY: "true" },
        });
        server = await startServerProcess(deployment.serverEnv());
        apiKey = deployment.createApiKey();
        deployment.addUser("alice", PASSWORD);
      });

      afterAll(async () => {
        await server?.stop();
        await deployment?.cleanup();
      });

      it("keeps every session and every revocation it acknowledged before it was killed", async () => {
        const running = server;
        const client = new SessionClient(running.url, apiKey, { "x-forwarded-for": clientIp() });
        const acknowledged = await burstThenKill(running, client, (count) => count >= 16);
        await expectAcknowledgedWritesSurvive(deployment, apiKey, acknowledged);
      });
    });
  });
});

describe("kill -9 under load, on SQLite (WAL, synchronous NORMAL)", () => {
  let deployment: Deployment;
  let server: ServerProcess;
  let apiKey: string;

  beforeAll(async () => {
    deployment = newDeployment({ store: "sqlite" });
    server = await startServerProcess(deployment.serverEnv());
    apiKey = deployment.createApiKey();
    deployment.addUser("alice", PASSWORD);
  });

  afterAll(async () => {
    await server?.stop();
    await deployment?.cleanup();
  });

  it("keeps every session and every revocation it acknowledged before it was killed", async () => {
    const running = server;
    const client = new SessionClient(running.url, apiKey);
    const acknowledged = await burstThenKill(running, client, (count) => count >= 16);
    await expectAcknowledgedWritesSurvive(deployment, apiKey, acknowledged);
  });
});
