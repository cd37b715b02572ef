import type { FastifyInstance } from "fastify";
import type { CoreContext } from "../../core/context.js";
import { adminCallerOf } from "./plugin-state.js";
import { adminAnswer, READ, TAGS } from "./schemas/common.js";
import type { AdminCallerView } from "./schemas/me.js";

/** `/me`: who the token calls as, for a CLI's `whoami` and a console's header. */
export function registerMeRoute(app: FastifyInstance, ctx: CoreContext): void {
  app.get(
    "/me",
    {
      schema: {
        operationId: "adminGetCaller",
        summary: "Who this token calls as",
        tags: TAGS,
        security: READ,
        response: { 200: adminAnswer("The caller", "AdminCaller") },
      },
    },
    async (request): Promise<AdminCallerView> => {
      const caller = adminCallerOf(request);
      const [user, client] = await Promise.all([
        caller.actorUserId === null
          ? undefined
          : ctx.store.users.getById(caller.tenantId, caller.actorUserId),
        ctx.store.clients.get(caller.tenantId, caller.clientId),
      ]);
      return {
        tenant_id: caller.tenantId,
        platform: caller.platform,
        access: caller.access,
        user: user === undefined ? null : { id: user.id, name: user.username },
        client: client === undefined ? null : { id: client.id, name: client.name },
      };
    },
  );
}
