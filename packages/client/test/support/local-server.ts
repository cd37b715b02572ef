import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** A request a {@link LocalServer} received, body and all. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What a {@link LocalServer} answers. */
export interface LocalAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * A tiny HTTP server on 127.0.0.1 for what a real Tessera never does (a
 * redirect elsewhere, a proxy's own 401): it records every request it
 * receives and answers each as `answer` says.
 */
export interface LocalServer {
  /** Where it listens, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request received so far, in order. */
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

/** Starts a {@link LocalServer}; `answer` may be async (to forward to a real server). */
export function startLocalServer(
  answer: (request: ReceivedRequest) => LocalAnswer | Promise<LocalAnswer>,
): Promise<LocalServer> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      received.push(request);
      Promise.resolve(answer(request)).then(
        (reply) => {
          res.writeHead(reply.status, reply.headers);
          res.end(reply.body ?? "");
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        received,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Request headers not passed on by {@link forwardTo}: the connection's own. */
const HOP_BY_HOP = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "keep-alive",
]);

/**
 * An answer that passes the request on to `target` (a real `tessera serve`)
 * and hands back its answer: a proxy, for a {@link LocalServer} that only
 * sometimes misbehaves.
 */
export async function forwardTo(target: string, request: ReceivedRequest): Promise<LocalAnswer> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string" && !HOP_BY_HOP.has(name)) {
      headers.set(name, value);
    }
  }
  const response = await fetch(`${target}${request.url}`, {
    method: request.method,
    headers,
    ...(request.method === "GET" || request.method === "HEAD" ? {} : { body: request.body }),
    redirect: "manual",
  });
  const answered: Record<string, string> = {};
  for (const [name, value] of response.headers) {
    if (!HOP_BY_HOP.has(name) && name !== "content-encoding") {
      answered[name] = value;
    }
  }
  return { status: response.status, headers: answered, body: await response.text() };
}
