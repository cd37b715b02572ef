import { describe, expect, it } from "vitest";
import { parseAudiences } from "./audiences.js";

const TESSERA = { publicUrl: "https://auth.example.test" };

describe("parseAudiences: Tessera's own audiences are reserved", () => {
  it.each([
    "tessera:operations",
    "tessera:anything",
    "TESSERA:operations",
    "https://auth.example.test",
    "https://auth.example.test/",
    "https://auth.example.test/tenants/default",
    "https://auth.example.test/tenants/another-tenant",
    "https://auth.example.test/auth/tokens/long",
    "https://AUTH.Example.Test:443/tenants/default",
    "https://auth.example.test?x=1",
    "https://someone@auth.example.test/tenants/default",
    "http://auth.example.test/tenants/default",
    "https://auth.example.test:8443/tenants/default",
  ])("refuses %s", (audience) => {
    expect(() => parseAudiences(["https://deploy.example.test", audience], TESSERA)).toThrow(
      expect.objectContaining({
        code: "invalid_request",
        message:
          "An audience may not be one of Tessera's own: none starts with tessera: or is a URL under https://auth.example.test",
      }),
    );
  });

  it.each([
    "https://deploy.example.test",
    "https://auth.example.test.evil.test/tenants/default",
    "wss://auth.example.test/tenants/default",
    "urn:example:tessera:operations",
    "my-tessera:operations",
  ])("allows %s, which is not Tessera's", (audience) => {
    expect(parseAudiences([audience], TESSERA)).toEqual([audience]);
  });

  it("reserves only the public URL's path when it has one", () => {
    const underPath = { publicUrl: "https://example.test/auth" };
    for (const audience of ["https://example.test/auth", "https://example.test/auth/tenants/x"]) {
      expect(() => parseAudiences([audience], underPath)).toThrow(
        expect.objectContaining({ code: "invalid_request" }),
      );
    }
    for (const audience of ["https://example.test/authz", "https://example.test/billing"]) {
      expect(parseAudiences([audience], underPath)).toEqual([audience]);
    }
  });
});
