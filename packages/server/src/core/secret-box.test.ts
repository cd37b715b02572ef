import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SecretBox } from "./secret-box.js";

const text = fc.string({ unit: "binary" });

function newBox(): SecretBox {
  return new SecretBox(randomBytes(32));
}

/** Flips bits of one byte of the ciphertext+tag part of a sealed value. */
function tamper(sealed: string, byteIndex: number, mask: number): string {
  const [version, iv, bodyText] = sealed.split(".");
  const body = Buffer.from(bodyText ?? "", "base64url");
  const index = byteIndex % body.length;
  body[index] = (body[index] ?? 0) ^ mask;
  return `${version}.${iv}.${body.toString("base64url")}`;
}

describe("SecretBox", () => {
  it("opens what it sealed", () => {
    const box = newBox();

    const sealed = box.seal("signing-key", '{"d":"private"}', "kid-1");

    expect(box.open("signing-key", sealed, "kid-1")).toBe('{"d":"private"}');
  });

  it("round-trips an empty plaintext and the default context", () => {
    const box = newBox();

    expect(box.open("p", box.seal("p", ""))).toBe("");
    expect(box.open("p", box.seal("p", "value"), "")).toBe("value");
  });

  it("hides the plaintext and never seals twice to the same value", () => {
    const box = newBox();

    const first = box.seal("p", "the plaintext");
    const second = box.seal("p", "the plaintext");

    expect(first).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(first).not.toContain("plaintext");
    expect(first).not.toBe(second);
  });

  it("round-trips any Unicode text, purpose and context", () => {
    const box = newBox();
    fc.assert(
      fc.property(text, text, text, (purpose, plaintext, context) => {
        expect(box.open(purpose, box.seal(purpose, plaintext, context), context)).toBe(plaintext);
      }),
    );
  });

  it("refuses to open for another purpose", () => {
    const box = newBox();
    fc.assert(
      fc.property(text, text, (purpose, other) => {
        fc.pre(purpose !== other);
        const sealed = box.seal(purpose, "secret");
        expect(() => box.open(other, sealed)).toThrow();
      }),
    );
  });

  it("refuses to open with another context", () => {
    const box = newBox();
    fc.assert(
      fc.property(text, text, (context, other) => {
        fc.pre(context !== other);
        const sealed = box.seal("p", "secret", context);
        expect(() => box.open("p", sealed, other)).toThrow();
      }),
    );
  });

  it("refuses a tampered ciphertext or tag", () => {
    const box = newBox();
    fc.assert(
      fc.property(text, fc.nat(), fc.integer({ min: 1, max: 255 }), (plaintext, at, mask) => {
        const sealed = box.seal("p", plaintext, "ctx");
        expect(() => box.open("p", tamper(sealed, at, mask), "ctx")).toThrow();
      }),
    );
  });

  it("refuses a tampered iv, a truncated value and an unknown version", () => {
    const box = newBox();
    const sealed = box.seal("p", "secret");
    const [, iv, body] = sealed.split(".");
    const otherIv = randomBytes(12).toString("base64url");

    expect(iv).not.toBe(otherIv);
    expect(() => box.open("p", `v1.${otherIv}.${body}`)).toThrow();
    expect(() => box.open("p", `v1.${iv}`)).toThrow();
    expect(() => box.open("p", `v1.${iv}.${(body ?? "").slice(0, 10)}`)).toThrow();
    expect(() => box.open("p", `v2.${iv}.${body}`)).toThrow();
    expect(() => box.open("p", "")).toThrow();
  });

  it("refuses to open with another master key", () => {
    const sealed = newBox().seal("p", "secret", "ctx");

    expect(() => newBox().open("p", sealed, "ctx")).toThrow();
  });

  it("opens with a new instance over the same master key", () => {
    const key = randomBytes(32);

    const sealed = new SecretBox(key).seal("p", "secret", "ctx");

    expect(new SecretBox(key).open("p", sealed, "ctx")).toBe("secret");
  });

  it("keeps its own copy of the master key", () => {
    const key = randomBytes(32);
    const box = new SecretBox(key);
    const sealed = box.seal("p", "secret");

    key.fill(0);

    expect(box.open("p", sealed)).toBe("secret");
  });

  it.each([0, 16, 31, 33, 64])("refuses a master key of %i bytes", (length) => {
    expect(() => new SecretBox(randomBytes(length))).toThrow(/32 bytes/);
  });
});
