import { ADMIN_AUDIT_SCHEMAS } from "./audit.js";
import { ADMIN_CLIENT_SCHEMAS } from "./clients.js";
import { ADMIN_ME_SCHEMAS } from "./me.js";
import { ADMIN_ROLE_SCHEMAS } from "./roles.js";
import { ADMIN_SESSION_SCHEMAS } from "./sessions.js";
import { ADMIN_KEY_AND_MAINTENANCE_SCHEMAS } from "./signing-keys.js";
import { ADMIN_TENANT_SCHEMAS } from "./tenants.js";
import { ADMIN_USER_SCHEMAS } from "./users.js";

/** Every named schema of the admin API, registered once at the app's root. */
export const ADMIN_API_SCHEMAS = [
  ...ADMIN_TENANT_SCHEMAS,
  ...ADMIN_USER_SCHEMAS,
  ...ADMIN_ROLE_SCHEMAS,
  ...ADMIN_SESSION_SCHEMAS,
  ...ADMIN_KEY_AND_MAINTENANCE_SCHEMAS,
  ...ADMIN_AUDIT_SCHEMAS,
  ...ADMIN_CLIENT_SCHEMAS,
  ...ADMIN_ME_SCHEMAS,
];
