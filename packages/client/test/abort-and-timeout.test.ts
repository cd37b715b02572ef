import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthApi,
  Configuration,
  type ConfigurationParameters,
  TesseraNetworkError,
  TesseraTimeoutError,
} from "../src/index.js";
import { addApiKey } from "./support/provision.js";
import { recordingFetch } from "./support/recording-fetch.js";
import { startTessera, type Tessera } from "./support/tessera.js";

const TOKEN = "tsr_lt_secret_that_must_not_leak";

let tessera: Tessera;
let apiKey: string;
/** Accepts connections and never answers: a server that hangs. */
let stalled: Server;
let stalledUrl: string;
const sockets = new Set<Socket>();
/** Nothing listens there: connections are refused. */
let closedUrl: string;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });
}

beforeAll(async () => {
  tessera = await startTessera();
  apiKey = addApiKey(tessera);
  stalled = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  stalledUrl = `http://127.0.0.1:${await listen(stalled)}`;
  const closed = createServer();
  const port = await listen(closed);
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  closedUrl = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  for (const socket of sockets) {
    socket.destroy();
  }
  await new Promise<void>((resolve) => stalled.close(() => resolve()));
  await tessera.stop();
});

/** An AuthApi on `basePath` whose requests and retry waits are recorded (the waits are not waited). */
function api(basePath: string, settings: ConfigurationParameters = {}) {
  const recorder = recordingFetch();
  const waits: number[] = [];
  const configuration = new Configuration({
    basePath,
    apiKey,
    accessToken: TOKEN,
    fetch: recorder.fetch,
    retry: {
      random: () => 0.5,
      sleep: async (ms) => {
        waits.push(ms);
      },
    },
    ...settings,
  });
  return { api: new AuthApi(configuration), exchanges: recorder.exchanges, waits };
}

describe("an already-aborted signal", () => {
  it("rejects with the signal's reason before anything is sent", async () => {
    const { api: auth, exchanges } = api(tessera.url);
    const controller = new AbortController();
    const reason = new Error("the caller gave up");
    controller.abort(reason);

    await expect(auth.listTokens(undefined, { signal: controller.signal })).rejects.toBe(reason);
    await expect(
      auth.issueLongTermToken({ client_id: "x" }, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: "AbortError" });
    expect(exchanges).toEqual([]);
  });
});

describe("an abort while the request is in flight", () => {
  it("rejects with the caller's reason, not a timeout, and is not retried", async () => {
    const { api: auth, exchanges } = api(stalledUrl);
    const controller = new AbortController();
    const reason = new Error("shutting down");
    const call = auth.listTokens(undefined, { signal: controller.signal });
    // Once the server holds the connection, the request is in flight.
    await waitFor(() => sockets.size > 0);
    controller.abort(reason);

    await expect(call).rejects.toBe(reason);
    expect(exchanges).toHaveLength(1);
  });
});

describe("timeouts", () => {
  it("a safe call that times out is TesseraTimeoutError after its retries", async () => {
    const { api: auth, exchanges, waits } = api(stalledUrl, { timeoutMs: 50 });

    const error = await auth.listTokens().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TesseraTimeoutError);
    expect(error).toMatchObject({ operationId: "listTokens", timeoutMs: 50 });
    expect(String(error)).not.toContain(TOKEN);
    expect(exchanges).toHaveLength(3);
    // Full jitter at 0.5 of 200 ms, then of 400 ms.
    expect(waits).toEqual([100, 200]);
  });

  it("an unsafe call that times out is not retried; a call's timeoutMs wins", async () => {
    const { api: auth, exchanges } = api(stalledUrl, { timeoutMs: 60_000 });

    const error = await auth
      .issueLongTermToken(
        { client_id: "x", client_secret: "tsr_cs_not_in_errors" },
        { timeoutMs: 50 },
      )
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TesseraTimeoutError);
    expect(String(error)).not.toContain("tsr_cs_not_in_errors");
    expect(exchanges).toHaveLength(1);
  });
});

describe("network failures", () => {
  it("a safe call whose connection is refused is retried, then TesseraNetworkError", async () => {
    const { api: auth, exchanges, waits } = api(closedUrl);

    const error = await auth.listTokens().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TesseraNetworkError);
    expect(error).toMatchObject({ operationId: "listTokens", cause: expect.anything() });
    expect((error as Error).message).toBe(`listTokens: no answer from ${closedUrl}`);
    expect(exchanges).toHaveLength(3);
    expect(waits).toHaveLength(2);
  });

  it("idempotent and unsafe calls are not retried after a network failure", async () => {
    const { api: auth, exchanges } = api(closedUrl);

    await expect(auth.revokeToken("lt_x")).rejects.toBeInstanceOf(TesseraNetworkError);
    await expect(auth.issueLongTermToken({ client_id: "x" })).rejects.toBeInstanceOf(
      TesseraNetworkError,
    );
    expect(exchanges).toHaveLength(2);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
