/**
 * HTTP over a raw TCP socket, for requests no HTTP client will send: a body
 * shorter than its Content-Length, a URL that is not valid, headers past
 * Node's limit, an empty chunked body.
 */
import { connect } from "node:net";
import type { FastifyInstance } from "fastify";

/** One parsed HTTP/1.1 response. */
export interface RawResponse {
  readonly status: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Everything the server sent, for assertions on what must never appear. */
  readonly raw: string;
}

/** Starts `app` on an ephemeral port of 127.0.0.1 and returns the port. */
export async function listenOnLoopback(app: FastifyInstance): Promise<number> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === "string") {
    throw new Error("the server has no TCP address");
  }
  return address.port;
}

/**
 * Writes `request` exactly as given and reads until the server closes (send
 * `Connection: close`). With `halfClose`, the socket's sending side is
 * closed after the request, so a body shorter than its Content-Length ends
 * there (Node then drops any request still in progress, so a complete
 * request should not use it). Fails after `timeoutMs` rather than hang.
 */
export function sendRaw(
  port: number,
  request: string,
  options: { readonly halfClose?: boolean; readonly timeoutMs?: number } = {},
): Promise<RawResponse> {
  const { halfClose = true, timeoutMs = 5000 } = options;
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      if (halfClose) {
        socket.end(request);
      } else {
        socket.write(request);
      }
    });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => {
      // A reset after the answer is how some refusals end; the answer is judged below.
    });
    socket.on("close", () => {
      clearTimeout(timer);
      try {
        resolve(parseResponse(Buffer.concat(chunks).toString("utf8")));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Parses the first response of `raw` (Content-Length framing, as Tessera answers). */
export function parseResponse(raw: string): RawResponse {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) {
    throw new Error(`not an HTTP response: ${JSON.stringify(raw.slice(0, 200))}`);
  }
  const [statusLine = "", ...lines] = raw.slice(0, end).split("\r\n");
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1];
  if (status === undefined) {
    throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(statusLine)}`);
  }
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers["content-length"] ?? "0");
  const body = Buffer.from(raw.slice(end + 4), "utf8")
    .subarray(0, length)
    .toString("utf8");
  return { status: Number(status), headers, body, raw };
}
