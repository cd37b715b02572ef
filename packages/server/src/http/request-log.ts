import { type FastifyReply, type FastifyRequest, LogController } from "fastify";

/**
 * One access-log line per request, written when it ends, where fastify
 * writes two (incoming, completed): the second line cost as much as a
 * refresh's SQL. The fields are fastify's own (`req`, `res`,
 * `responseTime`, through the same serializers), so log pipelines that
 * parse fastify's lines parse this one.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const fields = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) {
      reply.log.error({ ...fields, err: error }, "request errored");
    } else {
      reply.log.info(fields, "request completed");
    }
  }
}
