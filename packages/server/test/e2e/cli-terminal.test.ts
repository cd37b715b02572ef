/**
 * The CLI at a terminal, as a person uses it: the built `tessera` given a
 * real terminal (util-linux `script`), with keys typed once a prompt shows.
 * It says which deployment it acts on, asks a new password twice without
 * echoing it, asks before removing a user, and Ctrl-C at a prompt ends the
 * line and exits with 130. `serve` warns of a development key once, and
 * says when it stops.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/processes.js";
import { runInTerminal, terminalAvailable } from "../support/terminal.js";

const PASSWORD = "typed-at-the-prompt-1";
const CTRL_C = "\u0003";
let dataDir: string;
let env: Record<string, string>;

const usernames = () =>
  (JSON.parse(runCli(["user", "list", "--json"], env).stdout) as { username: string }[]).map(
    (u) => u.username,
  );

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "tessera-e2e-terminal-"));
  env = { TESSERA_DATA_DIR: dataDir };
  expect(runCli(["init"], env).status).toBe(0);
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe.runIf(terminalAvailable)("tessera at a terminal", () => {
  it("serve warns of the development master key once, and says when it stops and what it finished", async () => {
    // A data dir of its own, with no master key: the development key file is made and warned of.
    const own = join(mkdtempSync(join(tmpdir(), "tessera-e2e-serve-")), "data");
    try {
      const result = await runInTerminal(["serve", "--port", "0", "--data-dir", own], {}, [
        { after: "First steps", type: CTRL_C },
      ]);
      // (The status is the shell's that `script` runs it in, which Ctrl-C reached too.)
      expect(result.screen.split("TESSERA_MASTER_KEY is not set").length - 1).toBe(1);
      expect(result.screen).toContain(
        "Stopping: no new connections; finishing 0 request(s) in progress\n",
      );
      expect(result.screen).toContain("Stopped after finishing 0 request(s)\n");
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it("names the deployment, asks a new password twice and never shows it", async () => {
    const result = await runInTerminal(["user", "add", "bob"], env, [
      { after: "Password for bob: ", type: `${PASSWORD}\r` },
      { after: "Again, to confirm: ", type: `${PASSWORD}\r` },
    ]);
    expect(result.status, result.screen).toBe(0);
    const lines = result.screen.split("\n");
    expect(lines.slice(0, 3)).toEqual([
      `Deployment: ${join(dataDir, "tessera.db")}`,
      "Password for bob: ",
      "Again, to confirm: ",
    ]);
    expect(lines.slice(3)).toEqual([
      expect.stringMatching(/^added bob \(\S+\) active; permissions: none$/),
      "",
    ]);
    expect(result.screen).not.toContain(PASSWORD);
    expect(usernames()).toContain("bob");
  });

  it("refuses two different passwords and changes nothing", async () => {
    const result = await runInTerminal(["user", "add", "carol"], env, [
      { after: "Password for carol: ", type: `${PASSWORD}\r` },
      { after: "Again, to confirm: ", type: "something-else-1\r" },
    ]);
    expect(result.status).toBe(1);
    expect(result.screen.trimEnd().split("\n").at(-1)).toBe(
      "tessera: The two passwords differ; nothing was changed",
    );
    expect(usernames()).not.toContain("carol");

    const reset = await runInTerminal(["user", "set-password", "bob"], env, [
      { after: "New password for bob: ", type: "new-password-1\r" },
      { after: "Again, to confirm: ", type: "new-password-2\r" },
    ]);
    expect(reset.status).toBe(1);
    expect(reset.screen).toContain("tessera: The two passwords differ; nothing was changed");
  });

  it("ends the line and exits with 130 on Ctrl-C at a password prompt", async () => {
    const result = await runInTerminal(["user", "add", "dave"], env, [
      { after: "Password for dave: ", type: CTRL_C },
    ]);
    expect(result.status).toBe(130);
    expect(result.screen.endsWith("Password for dave: \n")).toBe(true);
    expect(result.screen).not.toContain("tessera:");
    expect(usernames()).not.toContain("dave");
  });

  it("asks before removing a user: no keeps it, Ctrl-C exits with 130, yes removes it", async () => {
    const question = "Remove user bob and end every session of theirs? [y/N] ";
    const no = await runInTerminal(["user", "remove", "bob"], env, [
      { after: question, type: "n\r" },
    ]);
    expect(no.status).toBe(1);
    expect(no.screen.trimEnd().split("\n").at(-1)).toBe(
      "tessera: user bob was not removed: not confirmed",
    );
    const interrupted = await runInTerminal(["user", "remove", "bob"], env, [
      { after: question, type: CTRL_C },
    ]);
    expect(interrupted.status).toBe(130);
    expect(usernames()).toContain("bob");

    const yes = await runInTerminal(["user", "remove", "bob"], env, [
      { after: question, type: "y\r" },
    ]);
    expect(yes.status, yes.screen).toBe(0);
    expect(yes.screen).toMatch(/removed user bob \(\S+\); their sessions are ended\n$/);
    expect(usernames()).not.toContain("bob");
  });

  it("keeps --json output free of the deployment line", async () => {
    const result = await runInTerminal(["tenant", "list", "--json"], env, []);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.screen)).toEqual([expect.objectContaining({ id: "default" })]);
  });
});

if (!terminalAvailable) {
  describe("tessera at a terminal", () => {
    it.skip("needs util-linux script to give the CLI a terminal", () => undefined);
  });
}
