import { randomBytes, randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Deployment, newDeployment, SessionClient, tokensOf } from "../support/deployment.js";
import { type ServerProcess, startServerProcess } from "../support/processes.js";
import {
  describeWithService,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
} from "../support/services.js";

const PASSWORD = "multi-instance password 0123";
const ADMIN_PASSWORD = "multi-instance admin 0123";
const MAX_FAILURES_PER_IP = 4;

const postgresUp = await postgresAvailable();
const redisUp = await redisAvailable();

/** An address of its own for each test, so counters in the shared Redis never meet. */
function clientIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

describeWithService("PostgreSQL", postgresUp, "two instances on one PostgreSQL", () => {
  describeWithService("Redis", redisUp, "and one Redis", () => {
    let deployment: Deployment;
    let a: ServerProcess;
    let b: ServerProcess;
    let apiKey: string;

    beforeAll(async () => {
      deployment = newDeployment({
        env: {
          TESSERA_REDIS_URL: REDIS_URL,
          // Behind one load balancer both instances issue and accept the same issuer.
          TESSERA_PUBLIC_URL: "https://auth.multi-instance.test",
          TESSERA_TRUST_PROXY: "true",
          TESSERA_ADMIN_USERNAME: "admin",
          TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
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
      await deployment?.cleanup();
    });

    /** Clients of A and B posing as one client address. */
    function clientsFrom(ip = clientIp()): [SessionClient, SessionClient] {
      const headers = { "x-forwarded-for": ip };
      return [new SessionClient(a.url, apiKey, headers), new SessionClient(b.url, apiKey, headers)];
    }

    describe("revocation", () => {
      it("refuses on B, at once, a session revoked through A: its refresh token and its access token", async () => {
        const [onA, onB] = clientsFrom();
        const admin = tokensOf(await onA.login("admin", ADMIN_PASSWORD));
        const asCaller = {
          authorization: `Bearer ${admin.authorization}`,
          accesstoken: admin.accessToken,
        };
        // B accepts what A issued: the session is in the shared store, the key in its keyring.
        expect((await onB.refresh(admin.refreshToken)).status).toBe(200);
        const impersonated = await onB.send(
          "POST",
          "/auth/impersonate",
          { username: "alice" },
          asCaller,
        );
        expect(impersonated.status).toBe(200);
        const child = tokensOf(impersonated);

        expect((await onA.revoke(admin.refreshToken)).status).toBe(200);

        expect(await onB.refresh(admin.refreshToken)).toMatchObject({
          status: 401,
          body: { status: "error", message: "Refresh token has been revoked" },
        });
        expect(
          await onB.send("POST", "/auth/impersonate", { username: "alice" }, asCaller),
        ).toMatchObject({
          status: 401,
          body: { status: "error", message: "Token has been revoked" },
        });
        // The impersonation session born of it on B ended with it.
        expect((await onB.refresh(child.refreshToken)).status).toBe(401);
      });
    });

    describe("rate limits", () => {
      it("counts login failures on A and B against one limit, not one each", async () => {
        const [onA, onB] = clientsFrom();
        const statuses: number[] = [];
        for (let i = 0; i < MAX_FAILURES_PER_IP + 2; i++) {
          const instance = i % 2 === 0 ? onA : onB;
          const attempt = await instance.login(`mallory-${randomBytes(4).toString("hex")}`, "nope");
          statuses.push(attempt.status);
          if (attempt.status === 429) {
            expect(Number(attempt.headers.get("retry-after"))).toBeGreaterThan(0);
          }
        }
        expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
        // The address is blocked everywhere, even with the right password.
        expect((await onA.login("alice", PASSWORD)).status).toBe(429);
        expect((await onB.login("alice", PASSWORD)).status).toBe(429);
        // Another address is not.
        const [elsewhere] = clientsFrom();
        expect((await elsewhere.login("alice", PASSWORD)).status).toBe(200);
      });
    });

    describe("refresh token rotation", () => {
      it("gives 20 concurrent refreshes of one token, split across A and B, one new token", async () => {
        const updated = deployment.cli([
          "tenant",
          "update",
          "default",
          "--refresh-policy",
          "rotate",
          "--refresh-grace-seconds",
          "30",
        ]);
        expect(updated.status).toBe(0);
        const [onA, onB] = clientsFrom();
        const first = tokensOf(await onA.login("alice", PASSWORD));

        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? onA : onB).refresh(first.refreshToken),
          ),
        );
        expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
        const successors = new Set(answers.map((answer) => tokensOf(answer).refreshToken));
        expect(successors.size).toBe(1);
        const [second] = [...successors] as [string];
        expect(second).not.toBe(first.refreshToken);

        // The lineage goes on from the one successor, on either instance.
        const third = tokensOf(await onB.refresh(second)).refreshToken;
        expect(third).not.toBe(second);
        // Inside the grace window the old tokens still answer with their own successor.
        expect(tokensOf(await onA.refresh(first.refreshToken)).refreshToken).toBe(second);
        expect(tokensOf(await onB.refresh(second)).refreshToken).toBe(third);

        // Past the grace (here: the grace cut to zero), the first token is a reuse:
        // the whole family is revoked, on both instances.
        expect(
          deployment.cli(["tenant", "update", "default", "--refresh-grace-seconds", "0"]).status,
        ).toBe(0);
        expect(await onB.refresh(first.refreshToken)).toMatchObject({
          status: 401,
          body: { message: "Refresh token has been revoked" },
        });
        expect((await onA.refresh(third)).status).toBe(401);
      });
    });
  });
});
