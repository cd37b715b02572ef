import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { Configuration } from "./configuration.js";
import { base64, basicAuthorization, credentialHeaders } from "./security.js";

describe("Basic credentials", () => {
  it("encode UTF-8 as Buffer does, without Buffer", () => {
    for (const text of ["alice:secret", "jörg:pässwörd ✓", "", "a:b:c"]) {
      expect(base64(text)).toBe(Buffer.from(text, "utf8").toString("base64"));
    }
  });

  it("form-encode a client's id and secret first (RFC 6749 §2.3.1), not a user's", () => {
    const decoded = (header: string) => Buffer.from(header.slice(6), "base64").toString("utf8");
    expect(decoded(basicAuthorization("my client", "a:b%", "ClientSecretBasic"))).toBe(
      "my+client:a%3Ab%25",
    );
    expect(decoded(basicAuthorization("my user", "a:b%", "BasicAuth"))).toBe("my user:a:b%");
  });
});

describe("credentialHeaders", () => {
  it("sends the API key and one Authorization, a configured Bearer token over Basic", async () => {
    const asked: unknown[] = [];
    const configuration = new Configuration({
      apiKey: async (name) => {
        asked.push(name);
        return "tsr_ak_x";
      },
      accessToken: (name) => {
        asked.push(name);
        return "token";
      },
      username: "u",
      password: "p",
    });
    expect(
      await credentialHeaders(configuration, [["OperationsBasic"], ["OperationToken"], []]),
    ).toEqual({ Authorization: "Bearer token" });
    expect(
      await credentialHeaders(configuration, [["ClientKey"], ["ClientKey", "ShortTokenAuth"]]),
    ).toEqual({ "X-API-Key": "tsr_ak_x", Authorization: "Bearer token" });
    expect(asked).toEqual(["OperationToken", "X-API-Key", "ShortTokenAuth"]);
  });

  it("reads the session API's ApiKeyAuth as X-API-Key, and never fills IdTokenAuth", async () => {
    const configuration = new Configuration({ apiKey: "tsr_ak_x", accessToken: "token" });
    expect(await credentialHeaders(configuration, [["ApiKeyAuth", "IdTokenAuth"]])).toEqual({
      "X-API-Key": "tsr_ak_x",
    });
  });

  it("falls back to Basic when the Bearer token is empty, and sends nothing unconfigured", async () => {
    const configuration = new Configuration({ accessToken: "", username: "u", password: "p" });
    expect(
      await credentialHeaders(configuration, [["OperationsBasic"], ["OperationToken"]]),
    ).toEqual({ Authorization: `Basic ${base64("u:p")}` });
    expect(await credentialHeaders(new Configuration(), [["ClientKey"], ["BasicAuth"]])).toEqual(
      {},
    );
    expect(await credentialHeaders(undefined, [["ClientKey"]])).toEqual({});
  });
});
