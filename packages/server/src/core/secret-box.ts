import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * Authenticated encryption (AES-256-GCM) for secrets that must be read back:
 * signing private keys, TOTP seeds, the grace-window copy of a rotated token
 * pair. Each purpose gets its own key, derived from the master key with HKDF,
 * so a ciphertext for one purpose never decrypts as another.
 *
 * Wire form: `v1.<iv>.<ciphertext+tag>` in base64url.
 */
export class SecretBox {
  readonly #masterKey: Buffer;
  readonly #keys = new Map<string, Buffer>();

  /** @param masterKey exactly 32 bytes. */
  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) {
      throw new Error("The master key must be exactly 32 bytes");
    }
    this.#masterKey = Buffer.from(masterKey);
  }

  #key(purpose: string): Buffer {
    let key = this.#keys.get(purpose);
    if (key === undefined) {
      key = Buffer.from(hkdfSync("sha256", this.#masterKey, "tessera", `tessera:${purpose}`, 32));
      this.#keys.set(purpose, key);
    }
    return key;
  }

  /**
   * Encrypts `plaintext` for `purpose`, binding it to `context` (additional
   * authenticated data such as a row id) so a ciphertext cannot be moved to
   * another row.
   */
  seal(purpose: string, plaintext: string, context = ""): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key(purpose), iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([
      cipher.update(plaintext, "utf8"),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `v1.${iv.toString("base64url")}.${body.toString("base64url")}`;
  }

  /** Decrypts what {@link seal} produced; throws if it was altered or sealed for another purpose. */
  open(purpose: string, sealed: string, context = ""): string {
    const [version, ivText, bodyText] = sealed.split(".");
    if (version !== "v1" || ivText === undefined || bodyText === undefined) {
      throw new Error("Unrecognised sealed value");
    }
    const body = Buffer.from(bodyText, "base64url");
    const decipher = createDecipheriv(
      "aes-256-gcm",
      this.#key(purpose),
      Buffer.from(ivText, "base64url"),
    );
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - 16)),
      decipher.final(),
    ]).toString("utf8");
  }
}
