import { format, inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { AuthApi } from "./auth-api.js";
import { Configuration } from "./configuration.js";

const API_KEY = "tsr_ak_configuration-test-key";
const PASSWORD = "configuration-test-password";
const ACCESS_TOKEN = "configuration-test-access-token";
const HEADER_VALUE = "Bearer configuration-test-header";
const SECRETS = [API_KEY, PASSWORD, ACCESS_TOKEN, HEADER_VALUE];

function configured(): Configuration {
  return new Configuration({
    basePath: "https://auth.example.com",
    apiKey: API_KEY,
    username: "alice",
    password: PASSWORD,
    accessToken: ACCESS_TOKEN,
    headers: { "X-Upstream-Authorization": HEADER_VALUE },
  });
}

/** Every way an application commonly prints an object. */
function printed(value: unknown): string[] {
  return [
    JSON.stringify(value),
    inspect(value),
    inspect(value, { showHidden: true, depth: Number.POSITIVE_INFINITY }),
    format("%o %O %j", value, value, value),
  ];
}

describe("Configuration, printed", () => {
  it("shows no credential or header value, as JSON or through util.inspect, of itself or of an API", () => {
    const configuration = configured();
    for (const text of [...printed(configuration), ...printed(new AuthApi(configuration))]) {
      for (const secret of SECRETS) {
        expect(text).not.toContain(secret);
      }
      expect(text).toContain("https://auth.example.com");
      expect(text).toContain("alice");
    }
    expect(JSON.parse(JSON.stringify(configuration))).toEqual({
      basePath: "https://auth.example.com",
      username: "alice",
      apiKey: "[redacted]",
      password: "[redacted]",
      accessToken: "[redacted]",
      headers: { "X-Upstream-Authorization": "[redacted]" },
    });
    expect(inspect(configuration)).toMatch(/^Configuration \{/);
  });

  it("hides a credential assigned after construction, and a function that supplies one", () => {
    const configuration = new Configuration({ apiKey: () => API_KEY });
    configuration.accessToken = ACCESS_TOKEN;
    for (const text of printed(configuration)) {
      expect(text).not.toContain(ACCESS_TOKEN);
      expect(text).not.toContain("=>");
    }
    expect(JSON.parse(JSON.stringify(configuration))).toEqual({
      apiKey: "[redacted]",
      accessToken: "[redacted]",
    });
    expect(Object.keys(configuration)).not.toContain("accessToken");
  });

  it("still hands its credentials to code that reads them by name, as the generated client's do", () => {
    const configuration = configured();
    expect(configuration.apiKey).toBe(API_KEY);
    expect(configuration.password).toBe(PASSWORD);
    expect(configuration.accessToken).toBe(ACCESS_TOKEN);
    configuration.accessToken = "renewed";
    expect(configuration.accessToken).toBe("renewed");
    expect(new Configuration().apiKey).toBeUndefined();
  });
});
