import type { Generated } from "kysely";

/**
 * The tables as Kysely sees them. Column names are camelCase here and
 * snake_case in the database (`CamelCasePlugin`). Times are integer
 * milliseconds (`bigint`); lists and maps are JSON text. Both choices keep one
 * schema valid on SQLite and PostgreSQL.
 */
export interface Database {
  tenants: TenantsTable;
  users: UsersTable;
  roles: RolesTable;
  clients: ClientsTable;
  automationTokens: AutomationTokensTable;
  oneTimeClaims: OneTimeClaimsTable;
  apiKeys: ApiKeysTable;
  signingKeys: SigningKeysTable;
  sessions: SessionsTable;
  refreshTokens: RefreshTokensTable;
  auditEvents: AuditEventsTable;
}

/** A bigint column: PostgreSQL's driver returns it as a string, SQLite's as a number. */
export type BigIntColumn = number | string;

export interface TenantsTable {
  id: string;
  displayName: string;
  accessTokenTtlSeconds: number;
  idTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  refreshPolicy: string;
  refreshGraceSeconds: number;
  signingAlgorithm: string;
  operationTokenTtlSeconds: number;
  /** 1 or 0: SQLite has no boolean, and both stores read it the same way. */
  oauthPasswordGrant: number;
  signingKeyRotationDays: number;
  createdAt: BigIntColumn;
  updatedAt: BigIntColumn;
}

export interface UsersTable {
  id: string;
  tenantId: string;
  username: string;
  passwordHash: string;
  status: string;
  permissions: string;
  roleId: string | null;
  createdAt: BigIntColumn;
  updatedAt: BigIntColumn;
}

export interface RolesTable {
  id: string;
  tenantId: string;
  name: string;
  /** The role's permission object as given (JSON). */
  permission: string;
  /** The Tessera permissions it grants (JSON array). */
  permissions: string;
  createdAt: BigIntColumn;
  updatedAt: BigIntColumn;
}

export interface ApiKeysTable {
  id: string;
  tenantId: string;
  clientId: string;
  name: string;
  keyHash: string;
  keyPrefix: string;
  createdAt: BigIntColumn;
  lastUsedAt: BigIntColumn | null;
  revokedAt: BigIntColumn | null;
}

export interface SigningKeysTable {
  kid: string;
  tenantId: string;
  algorithm: string;
  status: string;
  publicJwk: string;
  privateKeySealed: string;
  createdAt: BigIntColumn;
  activatedAt: BigIntColumn | null;
  retiredAt: BigIntColumn | null;
}

export interface SessionsTable {
  id: string;
  tenantId: string;
  userId: string;
  clientId: string;
  apiKeyId: string | null;
  authTime: BigIntColumn;
  createdAt: BigIntColumn;
  expiresAt: BigIntColumn;
  lastRefreshedAt: BigIntColumn | null;
  revokedAt: BigIntColumn | null;
  revokedReason: string | null;
  impersonatorUserId: string | null;
  parentSessionId: string | null;
}

export interface RefreshTokensTable {
  hash: string;
  sessionId: string;
  tenantId: string;
  createdAt: BigIntColumn;
  expiresAt: BigIntColumn;
  rotatedAt: BigIntColumn | null;
  successorSealed: string | null;
}

export interface AuditEventsTable {
  id: Generated<BigIntColumn>;
  tenantId: string;
  at: BigIntColumn;
  type: string;
  actorUserId: string | null;
  actorClientId: string | null;
  subjectUserId: string | null;
  clientId: string | null;
  sessionId: string | null;
  ip: string | null;
  detail: string;
}

export interface ClientsTable {
  /** Unique within its tenant: the primary key is `(tenant_id, id)`. */
  id: string;
  tenantId: string;
  name: string;
  /** The allowed grant types (JSON array of RFC names). */
  grantTypes: string;
  tokenEndpointAuthMethod: string;
  secretHash: string | null;
  secretPrefix: string | null;
  /** The secret a rotation replaced, accepted until `previousSecretExpiresAt`. */
  previousSecretHash: string | null;
  previousSecretExpiresAt: BigIntColumn | null;
  totpSeedSealed: string | null;
  /** The registered public keys (JSON array of JWKs). */
  publicKeys: string;
  scopes: string;
  /** The allowed audiences besides the tenant's issuer (JSON array of strings). */
  audiences: string;
  maxTokenTtlDays: number;
  status: string;
  /** 1 for one of Tessera's own clients (`tessera-cli`), 0 otherwise. */
  firstParty: Generated<number>;
  createdAt: BigIntColumn;
  updatedAt: BigIntColumn;
}

export interface AutomationTokensTable {
  id: string;
  tenantId: string;
  clientId: string;
  kind: string;
  name: string;
  hash: string | null;
  prefix: string | null;
  scopes: string;
  audience: string | null;
  parentId: string | null;
  createdAt: BigIntColumn;
  expiresAt: BigIntColumn;
  lastUsedAt: BigIntColumn | null;
  revokedAt: BigIntColumn | null;
  revokedReason: string | null;
  replacedById: string | null;
}

export interface OneTimeClaimsTable {
  key: string;
  expiresAt: BigIntColumn;
}
