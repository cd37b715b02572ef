import { createDecipheriv, hkdfSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretBox } from "./secret-box.js";

/**
 * A value sealed once by Tessera and committed here. Every data dir holds
 * values in this format (signing keys, TOTP seeds, grace-window copies): a
 * change to the key derivation, the cipher or the wire form that stops this
 * from opening would make every existing data dir unreadable.
 */
const MASTER_KEY = Buffer.from(
  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
  "hex",
);
const PURPOSE = "signing-key";
const CONTEXT = "kid-known-answer";
const PLAINTEXT = '{"kty":"OKP","crv":"Ed25519","d":"known-answer"}';
const SEALED =
  "v1.ppr9xD02oy7XDJs5.jH1Ck0VFmmtB9_65jJ4T6N1Hy3qSx-utK4zv0bBXg2SXjk8GrD-Soqrar-wG59coHSYYbq81kGEXa5KSW91X3A";

describe("SecretBox: the sealed format, by known answer", () => {
  it("opens a value sealed by an earlier Tessera", () => {
    expect(new SecretBox(MASTER_KEY).open(PURPOSE, SEALED, CONTEXT)).toBe(PLAINTEXT);
  });

  it("is AES-256-GCM under HKDF-SHA256(master key, 'tessera', 'tessera:<purpose>'), as plain node:crypto reads it", () => {
    const [version, ivText, bodyText] = SEALED.split(".");
    const iv = Buffer.from(ivText ?? "", "base64url");
    const body = Buffer.from(bodyText ?? "", "base64url");
    const key = Buffer.from(hkdfSync("sha256", MASTER_KEY, "tessera", `tessera:${PURPOSE}`, 32));
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(Buffer.from(CONTEXT, "utf8"));
    decipher.setAuthTag(body.subarray(body.length - 16));
    const plaintext = Buffer.concat([
      decipher.update(body.subarray(0, body.length - 16)),
      decipher.final(),
    ]).toString("utf8");

    expect({ version, ivBytes: iv.length, plaintext }).toEqual({
      version: "v1",
      ivBytes: 12,
      plaintext: PLAINTEXT,
    });
  });

  it("refuses the known value under another purpose, context or master key", () => {
    const box = new SecretBox(MASTER_KEY);
    expect(() => box.open("totp-seed", SEALED, CONTEXT)).toThrow();
    expect(() => box.open(PURPOSE, SEALED, "kid-other")).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 7)).open(PURPOSE, SEALED, CONTEXT)).toThrow();
  });
});
