import { ADMIN_SESSION_SCHEMAS } from "./sessions.js";
import { ADMIN_USER_SCHEMAS } from "./users.js";

/** Every named schema of the admin API, registered once at the app's root. */
export const ADMIN_API_SCHEMAS = [...ADMIN_USER_SCHEMAS, ...ADMIN_SESSION_SCHEMAS];
