import { connect, createServer, type Socket } from "node:net";

/** A request as it crossed the wire: its request line, headers and body bytes. */
export interface RecordedRequest {
  readonly requestLine: string;
  /** Header names lower-cased; a repeated header keeps its last value. */
  readonly headers: Readonly<Record<string, string>>;
  /** Bytes after the head, as far as the relay saw them. */
  readonly bodyLength: number;
}

/**
 * A TCP relay in front of a server that keeps the bytes each client
 * connection sent, so a test can show what a client library really put on
 * the wire (headers its HTTP stack adds on its own included, such as
 * Node's implicit `Content-Length: 0`) for the very request the server
 * answered.
 */
export interface RecordingRelay {
  /** Where to send requests, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The first request of every connection so far, in the order the connections opened. */
  requests(): RecordedRequest[];
  close(): Promise<void>;
}

function parseRequest(bytes: Buffer): RecordedRequest {
  const end = bytes.indexOf("\r\n\r\n");
  const head = bytes.subarray(0, end === -1 ? bytes.length : end).toString("latin1");
  const [requestLine = "", ...lines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  return { requestLine, headers, bodyLength: end === -1 ? 0 : bytes.length - end - 4 };
}

/** Starts a relay on 127.0.0.1 to `target` (an `http://host:port` URL). */
export function startRecordingRelay(target: string): Promise<RecordingRelay> {
  const { hostname, port } = new URL(target);
  const received: Buffer[][] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const chunks: Buffer[] = [];
    received.push(chunks);
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk: Buffer) => chunks.push(chunk));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const listening = typeof address === "object" && address !== null ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${listening}`,
        requests: () => received.map((chunks) => parseRequest(Buffer.concat(chunks))),
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) {
              socket.destroy();
            }
            server.close(() => done());
          }),
      });
    });
  });
}
