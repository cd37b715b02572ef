/**
 * Where the operations API listens: `/` as HarperDB does, and `/operations`
 * for deployments that mount Tessera under a prefix.
 */
export const OPERATIONS_API_PATHS = ["/", "/operations"] as const;
