import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { CliError } from "./errors.js";
import { forTerminal } from "./io.js";

/**
 * Asks one question at the terminal and returns the answer; `hidden` does
 * not echo what is typed. Commands take one, so tests can answer for the
 * operator.
 */
export type Prompt = (question: string, options: { readonly hidden: boolean }) => Promise<string>;

/**
 * The terminal's prompt, on standard error. Ctrl-C ends the line and fails
 * with `cancelled` and exit status 130 (as a shell reports an interrupted
 * command); the input ending (Ctrl-D) fails with `cancelled` too.
 */
export const terminalPrompt: Prompt = (question, { hidden }) =>
  new Promise((resolve, reject) => {
    // Muted, readline echoes nothing; otherwise it shows the question and
    // echoes the answer on standard error, line break included.
    const rl = createInterface({
      input: process.stdin,
      output: hidden
        ? new Writable({ write: (_chunk, _encoding, done) => done() })
        : process.stderr,
      terminal: true,
    });
    let settled = false;
    const settle = (finish: () => void) => {
      settled = true;
      rl.close();
      finish();
    };
    rl.on("SIGINT", () => {
      process.stderr.write("\n");
      settle(() => reject(new CliError("cancelled", "Interrupted", 130)));
    });
    rl.on("close", () => {
      if (!settled) {
        process.stderr.write("\n");
        settled = true;
        reject(new CliError("cancelled", "No answer: the input ended"));
      }
    });
    if (hidden) {
      // Only now, with the terminal no longer echoing (readline made it raw), is the question shown.
      process.stderr.write(forTerminal(question));
    }
    rl.question(hidden ? "" : forTerminal(question), (answer) => {
      if (hidden) {
        process.stderr.write("\n");
      }
      settle(() => resolve(answer));
    });
  });

/** Whether a person can be asked: standard input is a terminal. */
const canAsk = () => process.stdin.isTTY === true;

/**
 * Reads a secret: the whole of stdin with `--password-stdin` (one trailing
 * line break removed, as `docker login --password-stdin` does; nothing else
 * is trimmed), or a prompt that does not echo when stdin is a terminal.
 * Never from argv, where it would land in shell history and `ps`.
 */
export async function readSecret(
  fromStdin: boolean,
  question: string,
  ask: Prompt = terminalPrompt,
  option = "the password with --password-stdin",
): Promise<string> {
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) {
      chunks.push(Buffer.from(chunk as Buffer));
    }
    return Buffer.concat(chunks)
      .toString("utf8")
      .replace(/\r?\n$/, "");
  }
  if (!canAsk()) {
    throw new CliError("usage", `stdin is not a terminal: pass ${option}`);
  }
  return ask(question, { hidden: true });
}

/**
 * Reads a new secret as {@link readSecret} does; at a prompt it is asked
 * twice, and two different answers fail before anything changes (a typo
 * nobody saw would otherwise become the password).
 */
export async function readNewSecret(
  fromStdin: boolean,
  question: string,
  ask: Prompt = terminalPrompt,
): Promise<string> {
  const first = await readSecret(fromStdin, question, ask);
  if (fromStdin) {
    return first;
  }
  const second = await ask("Again, to confirm: ", { hidden: true });
  if (first !== second) {
    throw new CliError("invalid_input", "The two passwords differ; nothing was changed");
  }
  return first;
}

/**
 * Asks before a change that cannot be undone: `--yes` skips the question;
 * without it, and without a terminal to ask at, the command fails. Anything
 * but `y` or `yes` cancels.
 */
export async function confirm(
  question: string,
  { yes, refusal }: { readonly yes: boolean; readonly refusal: string },
  ask: Prompt = terminalPrompt,
): Promise<void> {
  if (yes) {
    return;
  }
  if (!canAsk()) {
    throw new CliError(
      "confirmation_required",
      `${refusal}: stdin is not a terminal to confirm at; pass --yes`,
    );
  }
  const answer = await ask(`${question} [y/N] `, { hidden: false });
  if (!/^\s*y(es)?\s*$/i.test(answer)) {
    throw new CliError("cancelled", `${refusal}: not confirmed`);
  }
}

/** Asks a question whose answer may show (a username); without a terminal, fails naming `option`. */
export async function readAnswer(
  question: string,
  option: string,
  ask: Prompt = terminalPrompt,
): Promise<string> {
  if (!canAsk()) {
    throw new CliError("usage", `stdin is not a terminal to ask at: pass ${option}`);
  }
  return (await ask(question, { hidden: false })).trim();
}
