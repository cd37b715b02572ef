import type { ClientId, UserId } from "./ids.js";

/**
 * Who makes an admin change, for the audit trail: the operator's user (a
 * session or OAuth token of a user with admin), or the client whose
 * client-credentials token carries an admin scope, and the IP the request
 * came from. Every admin-change core function takes it and records it on its
 * audit event; the CLI's local mode, which holds the database itself, leaves
 * it empty.
 *
 * @example
 * await addUser(ctx, { tenantId, username: "ada", password, actorClientId: bot.id, ip });
 */
export interface Actor {
  readonly actorUserId?: UserId | null;
  readonly actorClientId?: ClientId | null;
  readonly ip?: string | null;
}

/** An {@link Actor}'s fields as an audit event takes them, absent ones as null. */
export function auditActor(actor: Actor): {
  readonly actorUserId: UserId | null;
  readonly actorClientId: ClientId | null;
  readonly ip: string | null;
} {
  return {
    actorUserId: actor.actorUserId ?? null,
    actorClientId: actor.actorClientId ?? null,
    ip: actor.ip ?? null,
  };
}
