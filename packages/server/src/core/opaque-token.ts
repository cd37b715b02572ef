import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { crc32 } from "node:zlib";
import type { TokenHash } from "./ids.js";

/**
 * Opaque secrets (refresh tokens, API keys, later long-term tokens and client
 * secrets) share one format: `<prefix>_<body><checksum>`.
 *
 * - body: 256 bits of CSPRNG output in base62 (43 characters), so the value
 *   is one word that a double-click selects;
 * - checksum: CRC-32 of `<prefix>_<body>` in base62, padded to 6 characters,
 *   so a secret scanner (or Tessera itself) can tell a real token from a typo
 *   without a database lookup.
 *
 * Only the SHA-256 of the whole string is stored.
 */
export type OpaquePrefix = "tsr_rt" | "tsr_ak" | "tsr_lt" | "tsr_cs";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BODY_BYTES = 32;
const BODY_LENGTH = 43; // ceil(256 / log2(62))
const CHECKSUM_LENGTH = 6; // ceil(32 / log2(62))

function encodeBase62(value: bigint, width: number): string {
  let out = "";
  let rest = value;
  while (rest > 0n) {
    out = BASE62[Number(rest % 62n)] + out;
    rest /= 62n;
  }
  return out.padStart(width, "0");
}

function checksum(text: string): string {
  return encodeBase62(BigInt(crc32(text)), CHECKSUM_LENGTH);
}

/**
 * Makes a new opaque secret with the given prefix.
 *
 * @example
 * const token = generateOpaqueToken("tsr_rt"); // "tsr_rt_3kTq…Zx0a1B"
 */
export function generateOpaqueToken(prefix: OpaquePrefix): string {
  const body = encodeBase62(BigInt(`0x${randomBytes(BODY_BYTES).toString("hex")}`), BODY_LENGTH);
  const head = `${prefix}_${body}`;
  return `${head}${checksum(head)}`;
}

const SHAPE = new RegExp(`^(tsr_[a-z]{2})_([0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}})$`);

/**
 * True when `value` has the shape and a valid checksum for `prefix`. A cheap
 * filter before any database lookup; it proves nothing about validity.
 */
export function isWellFormedOpaqueToken(value: string, prefix: OpaquePrefix): boolean {
  const match = SHAPE.exec(value);
  if (match === null || match[1] !== prefix) {
    return false;
  }
  const head = value.slice(0, value.length - CHECKSUM_LENGTH);
  return constantTimeEqual(checksum(head), value.slice(value.length - CHECKSUM_LENGTH));
}

/** SHA-256 of a secret, hex-encoded: the form in which secrets are stored and looked up. */
export function hashSecret(secret: string): TokenHash {
  return createHash("sha256").update(secret, "utf8").digest("hex") as TokenHash;
}

/** Compares two strings in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash("sha256").update(a, "utf8").digest();
  const right = createHash("sha256").update(b, "utf8").digest();
  // Hashing first makes the lengths equal, so the length is not leaked either.
  return timingSafeEqual(left, right) && a.length === b.length;
}
