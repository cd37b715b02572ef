import type { FastifyReply } from "fastify";

/** Marks a response as holding credentials: never cached (RFC 6749 §5.1). */
export function noStore(reply: FastifyReply): void {
  reply.header("cache-control", "no-store").header("pragma", "no-cache");
}
