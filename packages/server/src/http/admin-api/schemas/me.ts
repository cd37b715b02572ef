import type { WireType } from "../../wire-type.js";

const named = {
  type: ["object", "null"],
  additionalProperties: false,
  properties: { id: { type: "string" }, name: { type: "string" } },
  required: ["id", "name"],
} as const;

export const adminCaller = {
  $id: "AdminCaller",
  type: "object",
  description:
    "Who the token calls as: its tenant, whether it manages every tenant, read or write, and the user (or the client, for a client's own token).",
  additionalProperties: false,
  properties: {
    tenant_id: { type: "string" },
    platform: {
      type: "boolean",
      description: "An admin of the platform tenant, who manages every tenant.",
    },
    access: { type: "string", enum: ["read", "write"] },
    user: { ...named, description: "The user, for a user's token; `name` is the username." },
    client: {
      ...named,
      description: "The client: its own token's, or the one a user's token was issued to.",
    },
  },
  required: ["tenant_id", "platform", "access", "user", "client"],
} as const;

export type AdminCallerView = WireType<typeof adminCaller>;

export const ADMIN_ME_SCHEMAS = [adminCaller];
