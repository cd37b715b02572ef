/**
 * The CLI in remote mode against one of two instances that share one
 * PostgreSQL and one Redis, as an operator of a scaled-out deployment uses
 * it: logged in to instance A with neither the database URL nor the master
 * key, it creates a user who then logs in on instance B, and ending that
 * user's sessions from the CLI ends them on both; the audit trail names the
 * operator who did it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Deployment, newDeployment, SessionClient, tokensOf } from "../support/deployment.js";
import {
  type CliResult,
  runCli,
  type ServerProcess,
  startServerProcess,
} from "../support/processes.js";
import {
  describeWithService,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
} from "../support/services.js";

const OPERATOR_PASSWORD = "remote operator password 0123";
const ALICE_PASSWORD = "alice remote password 0123";

const postgresUp = await postgresAvailable();
const redisUp = await redisAvailable();

describeWithService("PostgreSQL", postgresUp, "the CLI logged in to one of two instances", () => {
  describeWithService("Redis", redisUp, "that share one Redis", () => {
    let deployment: Deployment;
    let a: ServerProcess;
    let b: ServerProcess;
    let apiKey: string;
    /** Only a settings dir: no database URL, no master key, no data dir. */
    let env: Record<string, string>;
    let cwd: string;

    const cli = (args: string[], input?: string): CliResult => runCli(args, env, input, { cwd });
    const cliJson = <T>(args: string[], input?: string): T => {
      const result = cli([...args, "--json"], input);
      expect(result.status, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as T;
    };

    beforeAll(async () => {
      deployment = newDeployment({
        env: {
          TESSERA_REDIS_URL: REDIS_URL,
          TESSERA_ADMIN_USERNAME: "ops",
          TESSERA_ADMIN_PASSWORD: OPERATOR_PASSWORD,
        },
      });
      a = await startServerProcess(deployment.serverEnv());
      b = await startServerProcess(deployment.serverEnv());
      apiKey = deployment.createApiKey();
      env = { TESSERA_CONFIG_DIR: mkdtempSync(join(tmpdir(), "tessera-remote-ops-")) };
      cwd = mkdtempSync(join(tmpdir(), "tessera-remote-cwd-"));
      const login = cli(
        ["login", "--server", a.url, "--username", "ops", "--password-stdin"],
        `${OPERATOR_PASSWORD}\n`,
      );
      expect(login.status, login.stderr).toBe(0);
    });

    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await deployment?.cleanup();
    });

    it("creates a user through A who logs in on B; ends her sessions on both; the audit names the operator", async () => {
      const operator = cliJson<{ user: { id: string } }>(["whoami"]).user.id;
      const alice = cliJson<{ id: string; username: string }>(
        ["user", "add", "alice", "--password-stdin"],
        `${ALICE_PASSWORD}\n`,
      );
      expect(alice.username).toBe("alice");

      const onA = new SessionClient(a.url, apiKey);
      const onB = new SessionClient(b.url, apiKey);
      const session = tokensOf(await onB.login("alice", ALICE_PASSWORD));
      // A refresh through A: the session lives in the shared store, not in B.
      const refreshed = tokensOf(await onA.refresh(session.refreshToken));

      const listed = cliJson<{ id: string; username: string | null }[]>([
        "sessions",
        "list",
        "--user",
        "alice",
      ]);
      expect(listed.map((s) => s.username)).toEqual(["alice"]);
      expect(cli(["sessions", "revoke", "--user", "alice"])).toMatchObject({
        status: 0,
        stdout: "ended 1 session(s) of alice\n",
      });
      for (const instance of [onA, onB]) {
        const refusal = await instance.refresh(refreshed.refreshToken);
        expect(refusal.status).toBe(401);
      }
      const again = await onB.login("alice", ALICE_PASSWORD);
      expect(again.status).toBe(200);

      const events = cli(["audit", "search", "--user", "alice", "--json"]);
      expect(events.status, events.stderr).toBe(0);
      const byType = new Map(
        events.stdout
          .trim()
          .split("\n")
          .map(
            (line) =>
              JSON.parse(line) as {
                type: string;
                actorUserId: string | null;
                subjectUserId: string | null;
              },
          )
          .map((event) => [event.type, event]),
      );
      expect(byType.get("user.created")).toMatchObject({
        actorUserId: operator,
        subjectUserId: alice.id,
      });
      expect(byType.get("session.revoked")).toMatchObject({
        actorUserId: operator,
        subjectUserId: alice.id,
      });
    });
  });
});
