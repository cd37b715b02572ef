/**
 * `tessera client add` and `client show` tell a client where its tenant's
 * OAuth endpoints are and how to get its first token: run as a user runs
 * them (the built `tessera` on a data dir), and the curl command they print
 * run by a shell, with the secret (or an assertion) in its variable,
 * against a real `tessera serve` whose public URL they name.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CryptoKey,
  createRemoteJWKSet,
  exportSPKI,
  generateKeyPair,
  jwtVerify,
  SignJWT,
} from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../support/oauth.js";
import { runCli, type ServerProcess, startServerProcess } from "../support/processes.js";

let dataDir: string;
let env: Record<string, string>;
let server: ServerProcess;
let publicUrl: string;

interface OAuthView {
  readonly issuer: string;
  readonly metadataUrl: string;
  readonly openidConfigurationUrl: string;
  readonly tokenEndpoint: string;
  readonly firstTokenCommand?: string;
}

interface ClientView {
  readonly id: string;
  readonly oauth: OAuthView;
  readonly clientSecret?: string;
}

function cliJson<T>(args: string[]): T {
  const result = runCli([...args, "--json"], env);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

function cliText(args: string[]): string {
  const result = runCli(args, env);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

/** The one printed line that is a curl command, as a user would copy it. */
function curlLineOf(text: string): string {
  const lines = text.split("\n").filter((line) => line.trimStart().startsWith("curl "));
  expect(lines).toHaveLength(1);
  return (lines[0] ?? "").trim();
}

/** Runs `command` in bash, as pasted into a terminal, with `variables` set; returns its JSON. */
function runInShell(command: string, variables: Record<string, string>): Record<string, unknown> {
  const result = spawnSync("bash", ["--noprofile", "--norc", "-c", command], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...variables },
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** Checks an access token as a resource server does: by the JWKS that discovery names. */
async function expectAccessToken(answer: Record<string, unknown>, view: OAuthView, sub: string) {
  expect(answer).toMatchObject({ token_type: "Bearer", access_token: expect.any(String) });
  const metadata = (await (await fetch(view.metadataUrl)).json()) as { jwks_uri: string };
  const { payload, protectedHeader } = await jwtVerify(
    String(answer.access_token),
    createRemoteJWKSet(new URL(metadata.jwks_uri)),
    { issuer: view.issuer, typ: "at+jwt", algorithms: ["ES256"] },
  );
  expect(protectedHeader.typ).toBe("at+jwt");
  expect(payload).toMatchObject({ sub, client_id: sub });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tessera-e2e-client-oauth-"));
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  env = { TESSERA_DATA_DIR: dataDir, TESSERA_PUBLIC_URL: publicUrl };
  server = await startServerProcess({ ...env, TESSERA_PORT: String(port) });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("tessera client add and show: discovery URLs and a first-token command", () => {
  it("prints the tenant's discovery URLs, which answer the tenant's metadata", async () => {
    const text = cliText(["client", "add", "reports-svc", "--id", "reports-svc"]);
    expect(text).toContain(
      `\n  metadata        ${publicUrl}/.well-known/oauth-authorization-server/tenants/default\n`,
    );
    expect(text).toContain(
      `\n  openid config   ${publicUrl}/tenants/default/.well-known/openid-configuration\n`,
    );
    const { oauth } = cliJson<ClientView>(["client", "show", "reports-svc"]);
    expect(oauth).toEqual({
      issuer: `${publicUrl}/tenants/default`,
      metadataUrl: `${publicUrl}/.well-known/oauth-authorization-server/tenants/default`,
      openidConfigurationUrl: `${publicUrl}/tenants/default/.well-known/openid-configuration`,
      tokenEndpoint: `${publicUrl}/tenants/default/oauth/token`,
      firstTokenCommand: `curl -s -u "reports-svc:$CLIENT_SECRET" -d grant_type=client_credentials ${publicUrl}/tenants/default/oauth/token`,
    });
    for (const url of [oauth.metadataUrl, oauth.openidConfigurationUrl]) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        issuer: oauth.issuer,
        token_endpoint: oauth.tokenEndpoint,
      });
    }
  });

  it("gives a client_secret_basic client a curl command that gets its first token, the secret left to the shell", async () => {
    const added = runCli(["client", "add", "billing-svc", "--scopes", "billing:read"], env);
    expect(added.status, added.stderr).toBe(0);
    const secret = /\n {2}(tsr_cs_\w+)\n/.exec(added.stdout)?.[1] ?? "";
    expect(secret).not.toBe("");
    const command = curlLineOf(added.stdout);
    expect(command).not.toContain(secret);
    expect(command).toContain("$CLIENT_SECRET");
    expect(added.stdout).toContain(
      "First token (client_credentials, client_secret_basic), with the client's secret in CLIENT_SECRET:",
    );

    const shown = cliText(["client", "show", "billing-svc"]);
    expect(shown).not.toContain(secret);
    expect(curlLineOf(shown)).toBe(command);
    const view = cliJson<ClientView>(["client", "show", "billing-svc"]);
    expect(view.oauth.firstTokenCommand).toBe(command);

    const answer = runInShell(command, { CLIENT_SECRET: secret });
    await expectAccessToken(answer, view.oauth, view.id);
    expect(answer.scope).toBe("billing:read");
    // The command is what the server takes: a wrong secret is refused there.
    expect(runInShell(command, { CLIENT_SECRET: `${secret}x` })).toMatchObject({
      error: "invalid_client",
    });
  });

  it("sends a client_secret_post client's secret in the form", async () => {
    const added = cliJson<ClientView>([
      "client",
      "add",
      "post-svc",
      "--auth-method",
      "client_secret_post",
    ]);
    const command = added.oauth.firstTokenCommand ?? "";
    expect(command).toContain('--data-urlencode "client_secret=$CLIENT_SECRET"');
    expect(command).not.toContain(" -u ");
    const answer = runInShell(command, { CLIENT_SECRET: added.clientSecret ?? "" });
    await expectAccessToken(answer, added.oauth, added.id);
  });

  it("tells a private_key_jwt client to send an assertion, and the command takes one", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256");
    const pem = join(dataDir, "signer.pem");
    writeFileSync(pem, await exportSPKI(publicKey));
    const text = cliText([
      "client",
      "add",
      "signer-svc",
      "--id",
      "signer-svc",
      "--auth-method",
      "private_key_jwt",
      "--public-key",
      pem,
    ]);
    expect(text).not.toContain("Client secret");
    expect(text).toContain(
      "First token (client_credentials, private_key_jwt), with a client assertion in CLIENT_ASSERTION: a JWT (RFC 7523 section 2.2)",
    );
    const { oauth } = cliJson<ClientView>(["client", "show", "signer-svc"]);
    const command = curlLineOf(text);
    expect(oauth.firstTokenCommand).toBe(command);
    expect(command).toContain(
      '-d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer -d "client_assertion=$CLIENT_ASSERTION"',
    );

    const assertion = await signAssertion(privateKey, "signer-svc", oauth.tokenEndpoint);
    const answer = runInShell(command, { CLIENT_ASSERTION: assertion });
    await expectAccessToken(answer, oauth, "signer-svc");
  });

  it("prints no first-token command for a public client, nor for one without client_credentials", () => {
    const spa = runCli(["client", "add", "spa", "--public"], env);
    expect(spa.status, spa.stderr).toBe(0);
    expect(spa.stdout).not.toContain("curl ");
    expect(spa.stdout).toContain(
      "A public client gets no client_credentials token: it has no secret to prove itself with.",
    );
    const spaView = cliJson<ClientView>(["client", "show", "spa"]);
    expect(spaView.oauth).not.toHaveProperty("firstTokenCommand");
    expect(spaView.oauth.metadataUrl).toBe(
      `${publicUrl}/.well-known/oauth-authorization-server/tenants/default`,
    );

    const bearerOnly = cliText([
      "client",
      "add",
      "assertion-only",
      "--grant-types",
      "urn:ietf:params:oauth:grant-type:jwt-bearer",
    ]);
    expect(bearerOnly).not.toContain("curl ");
    expect(bearerOnly).toContain(
      "It may not use the client_credentials grant (see its grant types).",
    );
  });

  it("names another tenant's own endpoints, and its command works there", async () => {
    expect(runCli(["tenant", "create", "acme"], env).status).toBe(0);
    const added = cliJson<ClientView>(["client", "add", "acme-svc", "--tenant", "acme"]);
    expect(added.oauth).toMatchObject({
      issuer: `${publicUrl}/tenants/acme`,
      metadataUrl: `${publicUrl}/.well-known/oauth-authorization-server/tenants/acme`,
      openidConfigurationUrl: `${publicUrl}/tenants/acme/.well-known/openid-configuration`,
      tokenEndpoint: `${publicUrl}/tenants/acme/oauth/token`,
    });
    const answer = runInShell(added.oauth.firstTokenCommand ?? "", {
      CLIENT_SECRET: added.clientSecret ?? "",
    });
    await expectAccessToken(answer, added.oauth, added.id);
  });
});

/** A client assertion (RFC 7523 §2.2) as a client library makes one, signed by jose. */
function signAssertion(key: CryptoKey, clientId: string, audience: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "ES256" })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime("2m")
    .sign(key);
}
