import type { FastifyRequest } from "fastify";
import { TesseraError } from "../../core/errors.js";
import type { ClientId, UserId } from "../../core/ids.js";
import type { AdminCaller } from "./caller.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The admin API's authenticated caller, set before anything else runs. */
    adminCaller: AdminCaller | null;
  }
}

/** The caller of an admin API request, authenticated by its `onRequest` hook. */
export function adminCallerOf(request: FastifyRequest): AdminCaller {
  if (request.adminCaller === null) {
    // The hook runs before every admin route; reaching here is a wiring bug.
    throw new TesseraError("invalid_token", "A Bearer token is required");
  }
  return request.adminCaller;
}

/** Who made a change, for the audit trail: the calling user or client, and the address it came from. */
export function actorOf(request: FastifyRequest): {
  readonly actorUserId: UserId | null;
  readonly actorClientId: ClientId | null;
  readonly ip: string;
} {
  const caller = adminCallerOf(request);
  return { actorUserId: caller.actorUserId, actorClientId: caller.actorClientId, ip: request.ip };
}
