import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addApiKey, addClient, addUser } from "./support/provision.js";
import { startTessera, type Tessera } from "./support/tessera.js";

let tessera: Tessera;

beforeAll(async () => {
  tessera = await startTessera();
});
afterAll(async () => {
  await tessera.stop();
});

describe("the suites' Tessera", () => {
  it("listens on its public URL and provisions through its CLI", async () => {
    const key = addApiKey(tessera);
    addUser(tessera, "alice");
    const client = addClient(tessera, "ci", ["--scopes", "tokens:write"]);
    expect(key).toMatch(/^tsr_ak_/);
    expect(client.clientSecret).toMatch(/^tsr_cs_/);
    const metadata = await fetch(`${tessera.issuer}/.well-known/openid-configuration`);
    expect(metadata.status).toBe(200);
    expect(((await metadata.json()) as { issuer: string }).issuer).toBe(tessera.issuer);
  });
});
