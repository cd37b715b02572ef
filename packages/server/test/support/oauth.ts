/** Helpers the OAuth dialect's tests share. */
import { createServer } from "node:net";
import type { LightMyRequestResponse } from "fastify";
import { type Harness, startHarness } from "./harness.js";

/** The issuer and token endpoint of the default tenant behind the in-process harness. */
export const ISSUER = "https://auth.example.test/tenants/default";
export const TOKEN_URL = `${ISSUER}/oauth/token`;

/** A harness listening on loopback, whose public URL is the address it listens on. */
export interface ListeningHarness extends Harness {
  /** `http://127.0.0.1:<port>` */
  readonly publicUrl: string;
  /** The default tenant's issuer at that URL. */
  readonly issuer: string;
}

/** A port free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A real server for independent clients: the harness's app listening on a
 * port of 127.0.0.1, with that address as its public URL (so the issuer
 * that discovery returns is the one the clients were given), and the clock
 * at the real time (the clients check `exp` and `iat` against their own).
 */
export async function startListeningHarness(): Promise<ListeningHarness> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const h = await startHarness({ TESSERA_PUBLIC_URL: publicUrl });
  h.clock.set(Date.now());
  await h.app.listen({ host: "127.0.0.1", port });
  return { ...h, publicUrl, issuer: `${publicUrl}/tenants/default` };
}

/** Form-encodes `fields` (a list value repeats its parameter). */
export function formOf(fields: Readonly<Record<string, string | readonly string[]>>): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const one of typeof value === "string" ? [value] : value) {
      form.append(name, one);
    }
  }
  return form.toString();
}

/** `POST` a token request through `app.inject`, as a form unless `headers` says otherwise. */
export function postToken(
  h: Harness,
  body: string | Readonly<Record<string, string | readonly string[]>>,
  headers: Record<string, string> = {},
  url = "/tenants/default/oauth/token",
): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: "POST",
    url,
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    payload: typeof body === "string" ? body : formOf(body),
  });
}

/** `Authorization: Basic` for a client, its id and secret form-url-encoded first (RFC 6749 §2.3.1). */
export function clientBasic(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replaceAll("%20", "+");
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64")}`;
}

/** Checks an RFC 6749 §5.2 error answer: status, `error`, exactly two members, no-store. */
export function expectOAuthError(
  response: LightMyRequestResponse,
  status: number,
  error: string,
): { error: string; error_description: string } {
  if (response.statusCode !== status) {
    throw new Error(`expected ${status}, got ${response.statusCode}: ${response.body}`);
  }
  const body = response.json<{ error: string; error_description: string }>();
  if (body.error !== error || Object.keys(body).sort().join() !== "error,error_description") {
    throw new Error(`expected error ${error}, got ${response.body}`);
  }
  // RFC 6749 §5.2: printable ASCII without '"' and '\\'.
  if (!/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(body.error_description)) {
    throw new Error(`error_description outside RFC 6749's characters: ${body.error_description}`);
  }
  if (!String(response.headers["content-type"]).startsWith("application/json")) {
    throw new Error(`expected JSON, got ${String(response.headers["content-type"])}`);
  }
  if (response.headers["cache-control"] !== "no-store") {
    throw new Error("an OAuth error must be no-store");
  }
  return body;
}
