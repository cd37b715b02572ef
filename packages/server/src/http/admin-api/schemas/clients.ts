import { TOKEN_ENDPOINT_AUTH_METHODS } from "../../../core/clients/auth-methods.js";
import { GRANT_TYPES } from "../../../core/clients/grant-types.js";
import { MAX_SECRET_OVERLAP_SECONDS } from "../../../core/clients/update-client.js";
import type { WireType } from "../../wire-type.js";
import { ADMIN_API_KEY_SCHEMAS } from "./api-keys.js";
import { ADMIN_AUTOMATION_TOKEN_SCHEMAS } from "./automation-tokens.js";
import {
  identifier,
  nextCursor,
  optionalTimestamp,
  pageQueryProperties,
  timestamp,
} from "./common.js";

const grantTypes = {
  type: "array",
  items: { type: "string", enum: [...GRANT_TYPES] },
  minItems: 1,
  maxItems: GRANT_TYPES.length,
  description: "The grants it may use, by their RFC names.",
} as const;

const authMethod = {
  type: "string",
  enum: [...TOKEN_ENDPOINT_AUTH_METHODS],
  description:
    "How it proves itself at a token endpoint: its secret (`client_secret_basic`, `client_secret_post`), a signed assertion (`private_key_jwt`), or not at all (`none`, a public client).",
} as const;

const scopes = {
  type: "array",
  items: identifier(64),
  maxItems: 64,
  description: "The scopes it may hold (`tokens:write`, `admin:read`, your own).",
} as const;

const audiences = {
  type: "array",
  items: identifier(256),
  maxItems: 32,
  description: "Audiences its short-term tokens may have besides the tenant's issuer.",
} as const;

const maxTokenTtlDays = {
  type: "integer",
  minimum: 30,
  maximum: 90,
  description: "The longest long-term token lifetime it may get, in days.",
} as const;

/** A public key as text: PEM (SPKI), or a JWK as JSON text. */
const publicKeyText = { type: "string", minLength: 1, maxLength: 16_384 } as const;

/** A public key as a JWK object. */
const publicKeyJwk = { type: "object", maxProperties: 32 } as const;

const publicKeyShape = {
  type: "object",
  description: "A public key the client signs assertions with (RFC 7523).",
  additionalProperties: false,
  properties: {
    kid: { type: "string", description: "Its RFC 7638 thumbprint." },
    alg: { type: "string", enum: ["RS256", "ES256", "EdDSA"] },
    jwk: { type: "object", additionalProperties: true, description: "The public JWK." },
  },
  required: ["kid", "alg", "jwk"],
} as const;

export const adminClientPublicKey = { $id: "AdminClientPublicKey", ...publicKeyShape } as const;

export type AdminClientPublicKey = WireType<typeof adminClientPublicKey>;

const clientProperties = {
  id: { type: "string" },
  tenant_id: { type: "string" },
  name: { type: "string" },
  status: { type: "string", enum: ["active", "disabled"] },
  grant_types: { type: "array", items: { type: "string" } },
  token_endpoint_auth_method: { type: "string" },
  scopes: { type: "array", items: { type: "string" } },
  audiences: { type: "array", items: { type: "string" } },
  max_token_ttl_days: { type: "integer" },
  otp_enrolled: { type: "boolean" },
  public_keys: { type: "array", items: publicKeyShape },
  secret_prefix: {
    type: ["string", "null"],
    description: "The first characters of its secret, to recognise it; null without a secret.",
  },
  previous_secret_expires_at: {
    ...optionalTimestamp,
    description:
      "When the secret a rotation replaced stops working (ISO 8601, UTC); null without one.",
  },
  created_at: timestamp,
  updated_at: timestamp,
} as const;

const clientRequired = [
  "id",
  "tenant_id",
  "name",
  "status",
  "grant_types",
  "token_endpoint_auth_method",
  "scopes",
  "audiences",
  "max_token_ttl_days",
  "otp_enrolled",
  "public_keys",
  "secret_prefix",
  "previous_secret_expires_at",
  "created_at",
  "updated_at",
] as const;

export const adminClient = {
  $id: "AdminClient",
  type: "object",
  description: "A client application. Never its secret, a hash of it, or its TOTP seed.",
  additionalProperties: false,
  properties: clientProperties,
  required: clientRequired,
} as const;

export type AdminClient = WireType<typeof adminClient>;

const shownOnce = {
  client_secret: {
    type: "string",
    description: "Its secret, shown here once and never again; absent for a client without one.",
  },
  otpauth_uri: {
    type: "string",
    description:
      "The `otpauth://` URI to enrol an authenticator, shown here once; absent without OTP.",
  },
} as const;

export const adminCreatedClient = {
  $id: "AdminCreatedClient",
  type: "object",
  description: "A new client, with its secret and OTP enrolment shown this once.",
  additionalProperties: false,
  properties: { ...clientProperties, ...shownOnce },
  required: clientRequired,
} as const;

export type AdminCreatedClient = WireType<typeof adminCreatedClient>;

export const adminUpdatedClient = {
  $id: "AdminUpdatedClient",
  type: "object",
  description:
    "A changed client; with `client_secret` (shown this once) when the change gave it a secret.",
  additionalProperties: false,
  properties: { ...clientProperties, client_secret: shownOnce.client_secret },
  required: clientRequired,
} as const;

export type AdminUpdatedClient = WireType<typeof adminUpdatedClient>;

export const adminClientPage = {
  $id: "AdminClientPage",
  type: "object",
  additionalProperties: false,
  properties: { items: { type: "array", items: { $ref: "AdminClient#" } }, next: nextCursor },
  required: ["items", "next"],
} as const;

export const adminClientQuery = {
  type: "object",
  additionalProperties: false,
  properties: pageQueryProperties,
} as const;

export type AdminClientQuery = WireType<typeof adminClientQuery>;

export const adminCreateClientRequest = {
  $id: "AdminCreateClientRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    name: {
      ...identifier(64),
      description: "Unique in the tenant: letters, digits, `.`, `_`, `-`.",
    },
    id: { ...identifier(64), description: "A readable id (`ci-bot`); a generated one by default." },
    grant_types: {
      ...grantTypes,
      description:
        "Its grants (default: `client_credentials` and `jwt-bearer`; `password` and `refresh_token` for a public client).",
    },
    token_endpoint_auth_method: { ...authMethod, default: "client_secret_basic" },
    scopes: { ...scopes, default: [] },
    audiences: { ...audiences, default: [] },
    otp: { type: "boolean", default: false, description: "Enrol a TOTP authenticator (RFC 6238)." },
    public_keys: {
      type: "array",
      items: { anyOf: [publicKeyText, publicKeyJwk] },
      maxItems: 16,
      description: "Public keys for signed assertions: PEM text, or JWKs.",
    },
    max_token_ttl_days: { ...maxTokenTtlDays, default: 90 },
  },
  required: ["name"],
} as const;

export type AdminCreateClientRequest = WireType<typeof adminCreateClientRequest>;

export const adminUpdateClientRequest = {
  $id: "AdminUpdateClientRequest",
  type: "object",
  description:
    "The fields to change; absent ones stay as they are. Public keys, OTP and the secret have routes of their own.",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: identifier(64),
    grant_types: { ...grantTypes, description: "Replaces its grants." },
    token_endpoint_auth_method: {
      ...authMethod,
      description: `${authMethod.description} Moving to a \`client_secret_*\` method from one without a secret makes one (shown once); moving away drops it.`,
    },
    scopes: { ...scopes, description: "Replaces its scopes." },
    audiences: { ...audiences, description: "Replaces its allowed audiences." },
    max_token_ttl_days: maxTokenTtlDays,
    enabled: {
      type: "boolean",
      description:
        "False refuses its step-ups, its API keys and every token it holds, until it is enabled again.",
    },
  },
} as const;

export type AdminUpdateClientRequest = WireType<typeof adminUpdateClientRequest>;

export const adminRotateSecretRequest = {
  $id: "AdminRotateSecretRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    overlap_seconds: {
      type: "integer",
      minimum: 0,
      maximum: MAX_SECRET_OVERLAP_SECONDS,
      default: 0,
      description:
        "How long the old secret keeps working beside the new one (0, the default: it stops at once).",
    },
  },
} as const;

export type AdminRotateSecretRequest = WireType<typeof adminRotateSecretRequest>;

export const adminRotatedSecret = {
  $id: "AdminRotatedSecret",
  type: "object",
  description: "A client's new secret, shown this once.",
  additionalProperties: false,
  properties: {
    client_id: { type: "string" },
    client_secret: { type: "string", description: "Shown here once and never again." },
    secret_prefix: { type: "string" },
    previous_secret_expires_at: {
      ...optionalTimestamp,
      description: "When the old secret stops working; null when it stopped at once.",
    },
  },
  required: ["client_id", "client_secret", "secret_prefix", "previous_secret_expires_at"],
} as const;

export type AdminRotatedSecret = WireType<typeof adminRotatedSecret>;

export const adminAddPublicKeyRequest = {
  $id: "AdminAddPublicKeyRequest",
  type: "object",
  additionalProperties: false,
  properties: {
    public_key: {
      anyOf: [publicKeyText, publicKeyJwk],
      description:
        "PEM (SPKI) text or a JWK: RSA of 2048 bits or more, P-256 or Ed25519; never a private key.",
    },
  },
  required: ["public_key"],
} as const;

export type AdminAddPublicKeyRequest = WireType<typeof adminAddPublicKeyRequest>;

export const adminTotpEnrolment = {
  $id: "AdminTotpEnrolment",
  type: "object",
  description: "A new TOTP enrolment, replacing any earlier one.",
  additionalProperties: false,
  properties: {
    client_id: { type: "string" },
    otpauth_uri: {
      type: "string",
      description: "The `otpauth://` URI for an authenticator app, shown here once.",
    },
  },
  required: ["client_id", "otpauth_uri"],
} as const;

export type AdminTotpEnrolment = WireType<typeof adminTotpEnrolment>;

/** `{tenant}`, a client `{id}` and a public key's `{kid}` in a path. */
export const publicKeyParams = {
  type: "object",
  properties: { tenant: identifier(64), id: identifier(128), kid: identifier(128) },
  required: ["tenant", "id", "kid"],
} as const;

/** The schemas of clients, their credentials, their API keys and their tokens. */
export const ADMIN_CLIENT_SCHEMAS = [
  adminClientPublicKey,
  adminClient,
  adminCreatedClient,
  adminUpdatedClient,
  adminClientPage,
  adminCreateClientRequest,
  adminUpdateClientRequest,
  adminRotateSecretRequest,
  adminRotatedSecret,
  adminAddPublicKeyRequest,
  adminTotpEnrolment,
  ...ADMIN_API_KEY_SCHEMAS,
  ...ADMIN_AUTOMATION_TOKEN_SCHEMAS,
];
