/** Every token API route is this path or below it (spec 004). */
export const TOKEN_API_PREFIX = "/auth/tokens";
