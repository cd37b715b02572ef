import { describe, expect, it } from "vitest";
import { hashSecret, isWellFormedOpaqueToken, type OpaquePrefix } from "./opaque-token.js";

/**
 * Secrets made once by Tessera and committed here, with the SHA-256 under
 * which each is stored. Clients and data dirs hold secrets of this form: a
 * change to the checksum or the stored hash that refuses these would
 * invalidate every refresh token, API key, long-term token and client
 * secret ever issued.
 */
const KNOWN: readonly { prefix: OpaquePrefix; token: string; sha256: string }[] = [
  {
    prefix: "tsr_rt",
    token: "tsr_rt_VQuVKIOIycw7zDj0uf1YHB9V01qIZUQFi8FAcLgZYz04X2RrJ",
    sha256: "ed4c15ef39d3bfd727c250ab2d6bcfb9f9993409638c5755727b6ecb4f6076ac",
  },
  {
    prefix: "tsr_ak",
    token: "tsr_ak_TLaX6PQ2T5PZaezRKbprwr9UOEHkWveYujtDlEqzCvS31lMi2",
    sha256: "752da779d23533ee5de5bdecb76af5f47de90c03b0b25364ab7fce5fa5b8a077",
  },
  {
    prefix: "tsr_lt",
    token: "tsr_lt_p0ZSDROqih0LRTOGUIVYv90nUDEvFQ1NbU59Xn6T4mh3UkNo5",
    sha256: "c31952e3104bc6da79d71a1d98be57e13902cbe2316d133d49c4de80f823aca2",
  },
  {
    prefix: "tsr_cs",
    token: "tsr_cs_Og7tJmBBQgcPCoHKBDSVzchaiVXoRfWx4r9BezXt7sm1JsEXV",
    sha256: "a6c80cee688a554b50478c7248d2d4eba5e0ea86cfbfa4f769c6194179c51fab",
  },
];

/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) from its table, independent of node:zlib. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return c >>> 0;
});

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, "utf8")) {
    crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Base62 (digits, then A-Z, then a-z), most significant first, zero-padded to `width`. */
function base62(value: number, width: number): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let out = "";
  for (let rest = value; rest > 0; rest = Math.floor(rest / 62)) {
    out = alphabet[rest % 62] + out;
  }
  return out.padStart(width, "0");
}

describe("opaque tokens: the format, by known answer", () => {
  it.each(KNOWN)("accepts the $prefix token made by an earlier Tessera", ({ prefix, token }) => {
    expect(isWellFormedOpaqueToken(token, prefix)).toBe(true);
  });

  it.each(KNOWN)("stores the $prefix token under its known SHA-256", ({ token, sha256 }) => {
    expect(hashSecret(token)).toBe(sha256);
  });

  it.each(KNOWN)(
    "ends the $prefix token with the CRC-32 of the rest in six base62 characters",
    ({ token }) => {
      const head = token.slice(0, -6);
      expect(token.slice(-6)).toBe(base62(crc32(head), 6));
    },
  );

  it("checks the CRC-32 of this table against its published check value", () => {
    // The CRC-32 check value of "123456789" (the catalogue's CRC-32/ISO-HDLC entry).
    expect(crc32("123456789")).toBe(0xcbf43926);
  });

  it.each(KNOWN)(
    "refuses the $prefix token with one body character changed",
    ({ prefix, token }) => {
      const at = prefix.length + 1;
      const changed = `${token.slice(0, at)}${token[at] === "A" ? "B" : "A"}${token.slice(at + 1)}`;
      expect(isWellFormedOpaqueToken(changed, prefix)).toBe(false);
    },
  );
});
