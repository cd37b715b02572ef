import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errorDialectFor } from "./error-dialects.js";
import { classifyFrameworkError, type WireError } from "./errors.js";
import { SECURITY_HEADERS } from "./security-headers.js";

/** The request each connection is serving, so a parser error can be answered in its name. */
const servedOn = new WeakMap<Socket, FastifyReply>();

/**
 * Records `request` as the one its connection is serving. Called for every
 * request (an `onRequest` hook), so that when the connection fails in the
 * middle of its body, {@link answerClientError} knows the path (and so the
 * dialect) and the request id the answer must carry.
 */
export function trackServedRequest(request: FastifyRequest, reply: FastifyReply): void {
  servedOn.set(request.raw.socket, reply);
}

/**
 * Forgets `reply` once it has been sent (an `onResponse` hook), so a
 * keep-alive connection does not hold its last request (with its body) in
 * memory until the next one, and a later parser error gets a new id.
 */
export function forgetServedRequest(request: FastifyRequest, reply: FastifyReply): void {
  if (servedOn.get(request.raw.socket) === reply) {
    servedOn.delete(request.raw.socket);
  }
}

/** The request target on the first line of what Node's parser was reading, if any. */
function requestTargetIn(rawPacket: unknown): string | undefined {
  if (!Buffer.isBuffer(rawPacket)) {
    return undefined;
  }
  const line = rawPacket.subarray(0, 4096).toString("latin1");
  return /^[A-Za-z]+ +(\S+)/.exec(line)?.[1];
}

/** What an error of Node's HTTP parser carries besides its message. */
interface ParserError extends Error {
  readonly code?: string;
  readonly rawPacket?: unknown;
}

/**
 * The server's `clientError` listener (fastify's `clientErrorHandler`): Node's
 * HTTP parser refused the bytes on a connection (headers over 16 KiB, a
 * malformed request line or header, a body cut short of its
 * Content-Length, a request that took too long). No fastify request exists
 * for most of these, so the answer is written to the socket here: a
 * complete, small response in the shape of the dialect the path belongs to
 * (the session API's when no path can be read), with a request id (the
 * served request's when there is one, else a new one), the security
 * headers, and `Connection: close`. Nothing of the request is echoed, and
 * the raw bytes (which may hold credentials) are never logged.
 */
export function answerClientError(this: FastifyInstance, error: ParserError, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) {
    return;
  }
  const served = servedOn.get(socket);
  const answering = served !== undefined && !served.raw.writableEnded ? served : undefined;
  if (answering?.raw.headersSent === true) {
    // An answer is already on its way: anything written now would corrupt it.
    socket.destroy();
    return;
  }
  let wire: WireError;
  let url: string | undefined;
  let requestId: string;
  if (answering !== undefined && !answering.request.raw.complete) {
    // The connection ended inside this request's body: what fastify reports
    // when a body does not match its Content-Length.
    wire = classifyFrameworkError({ code: "FST_ERR_CTP_INVALID_CONTENT_LENGTH" });
    url = answering.request.url;
    requestId = answering.request.id;
  } else {
    wire = classifyFrameworkError(error);
    url = requestTargetIn(error.rawPacket);
    requestId = randomUUID();
  }
  this.log.info({ reqId: requestId, code: error.code, status: wire.status }, wire.message);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const answer = errorDialectFor(url ?? "").render(wire, requestId);
  const body = JSON.stringify(answer.body);
  const head = [
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ""}`,
    `content-type: ${answer.contentType}`,
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    "cache-control: no-store",
    ...Object.entries(SECURITY_HEADERS).map(([name, value]) => `${name}: ${value}`),
    `date: ${new Date().toUTCString()}`,
    "connection: close",
  ];
  socket.end(`${head.join("\r\n")}\r\n\r\n${body}`, () => socket.destroy());
}
