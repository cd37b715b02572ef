import { decodeJwt, decodeProtectedHeader, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AccessTokenError,
  type AccessTokenErrorCode,
  type AccessTokenVerifierOptions,
  createAccessTokenVerifier,
  type FetchLike,
  verifyAccessToken,
} from "../src/index.js";
import {
  type ApiKey,
  type Client,
  createApiKey,
  login,
  oauthToken,
  operationTokens,
  RESOURCE,
  shortTermToken,
} from "./support/issue.js";
import { addClient, addUser } from "./support/provision.js";
import { startTessera, type Tessera } from "./support/tessera.js";

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

let tessera: Tessera;
/** The session API's client: confidential, so it may exchange its users' tokens. */
let web: Client;
let webKey: ApiKey;
/** A machine client allowed the resource server's audience. */
let bot: Client;
let alice: { accessToken: string; idToken: string; refreshToken: string };
let bobAccessToken: string;
let bobId: string;

beforeAll(async () => {
  tessera = await startTessera();
  addUser(tessera, "alice");
  addUser(tessera, "bob");
  web = addClient(tessera, "web", [
    "--grant-types",
    `password,refresh_token,${TOKEN_EXCHANGE}`,
    "--audience",
    RESOURCE,
  ]);
  webKey = createApiKey(tessera, "web", "web");
  bot = addClient(tessera, "reports-bot", [
    "--scopes",
    "reports:read,reports:write",
    "--audience",
    RESOURCE,
  ]);
  alice = await login(tessera, webKey, "alice");
  bobAccessToken = (await login(tessera, webKey, "bob")).accessToken;
  bobId = decodeJwt(bobAccessToken).sub ?? "";
});
afterAll(async () => {
  await tessera.stop();
});

/** Options for the session API's tokens: their audience is the API key's client. */
function forUsers(more: Partial<AccessTokenVerifierOptions> = {}): AccessTokenVerifierOptions {
  return { issuer: tessera.issuer, audience: webKey.clientId, ...more };
}

/** Options for tokens minted for the resource server. */
function forResource(more: Partial<AccessTokenVerifierOptions> = {}): AccessTokenVerifierOptions {
  return { issuer: tessera.issuer, audience: RESOURCE, ...more };
}

async function refusal(promise: Promise<unknown>, code: AccessTokenErrorCode, token?: string) {
  const error = await promise.then(
    () => {
      throw new Error(`expected ${code}, but the token was accepted`);
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AccessTokenError);
  const refused = error as AccessTokenError;
  expect(refused.code).toBe(code);
  if (token !== undefined) {
    // Neither the message nor the detail ever carries the token.
    expect(`${refused.message} ${refused.detail ?? ""}`).not.toContain(token.split(".")[2]);
  }
  return refused;
}

function clientCredentials(scope = "reports:read"): Promise<string> {
  return oauthToken(tessera, bot, { grant_type: "client_credentials", resource: RESOURCE, scope });
}

describe("tokens Tessera issued", () => {
  it("accepts a session API access token, as the user's, found through discovery", async () => {
    const token = await verifyAccessToken(alice.accessToken, forUsers());
    expect(token.kind).toBe("access_token");
    expect(token.claims.username).toBe("alice");
    expect(token.claims.token_use).toBe("access");
    expect(token.claims.sid).toEqual(expect.any(String));
    expect(token.clientId).toBe(webKey.clientId);
    expect(token.scopes).toEqual(["openid"]);
    expect(token.actor).toBeUndefined();
    expect(token.header).toMatchObject({ alg: "ES256", typ: "at+jwt" });
    expect(token.expiresAt.getTime()).toBe((decodeJwt(alice.accessToken).exp ?? 0) * 1000);
  });

  it("accepts an OAuth client_credentials token, as the client's own", async () => {
    const token = await verifyAccessToken(await clientCredentials(), forResource());
    expect(token.kind).toBe("client_access_token");
    expect(token.subject).toBe(bot.id);
    expect(token.clientId).toBe(bot.id);
    expect(token.scopes).toEqual(["reports:read"]);
    expect(token.claims.sid).toBeUndefined();
  });

  it("accepts a delegated token, naming who acts", async () => {
    const delegated = await oauthToken(tessera, web, {
      grant_type: TOKEN_EXCHANGE,
      subject_token: alice.accessToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      actor_token: bobAccessToken,
      actor_token_type: ACCESS_TOKEN_TYPE,
      resource: RESOURCE,
    });
    const token = await verifyAccessToken(delegated, forResource());
    expect(token.kind).toBe("delegated_access_token");
    expect(token.subject).toBe(decodeJwt(alice.accessToken).sub);
    expect(token.actor).toEqual({ sub: bobId });
  });

  it("accepts the token API's short-term token where automation+jwt is asked for", async () => {
    const short = await shortTermToken(tessera, webKey, bot, {
      audience: RESOURCE,
      scopes: ["reports:read"],
    });
    const token = await verifyAccessToken(short, forResource({ typ: "automation+jwt" }));
    expect(token.kind).toBe("short_term_token");
    expect(token.subject).toBe(bot.id);
    expect(token.scopes).toEqual(["reports:read"]);
    const both = await verifyAccessToken(short, forResource({ typ: ["at+jwt", "automation+jwt"] }));
    expect(both.kind).toBe("short_term_token");
    const byKind = await verifyAccessToken(short, forResource({ kinds: ["short_term_token"] }));
    expect(byKind.header.typ).toBe("automation+jwt");
  });

  it("accepts a token within the clock tolerance of its exp, from an injected clock", async () => {
    const exp = decodeJwt(alice.accessToken).exp ?? 0;
    const late = { now: () => (exp + 4) * 1000 };
    await expect(
      verifyAccessToken(alice.accessToken, forUsers({ clock: late })),
    ).resolves.toBeTruthy();
  });

  it("holds the required scopes, in the verifier's options and per call", async () => {
    const verifier = createAccessTokenVerifier(forResource({ requiredScopes: ["reports:read"] }));
    const token = await verifier.verify(await clientCredentials("reports:read reports:write"), {
      requiredScopes: ["reports:write"],
    });
    expect(token.scopes).toEqual(["reports:read", "reports:write"]);
  });
});

describe("refused: 401 invalid_token or token_expired", () => {
  it("refuses a token signed by another key under the issuer's kid", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const forged = await new SignJWT(decodeJwt(alice.accessToken))
      .setProtectedHeader({ ...decodeProtectedHeader(alice.accessToken), alg: "ES256" })
      .sign(privateKey);
    const error = await refusal(verifyAccessToken(forged, forUsers()), "invalid_token", forged);
    expect(error.detail).toBe("signature verification failed");
  });

  it("refuses alg none and HS256 keyed with the public key, before any request", async () => {
    let requests = 0;
    const counting: FetchLike = (url, init) => {
      requests += 1;
      return fetch(url, init);
    };
    const payload = alice.accessToken.split(".")[1];
    const kid = decodeProtectedHeader(alice.accessToken).kid;
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "at+jwt", kid })).toString("base64url")}.${payload}.`;
    await refusal(verifyAccessToken(none, forUsers({ fetch: counting })), "invalid_token");

    const jwks = (await (await fetch(`${tessera.issuer}/.well-known/jwks.json`)).json()) as {
      keys: JWK[];
    };
    const publicJwk = jwks.keys.find((key) => key.kid === kid);
    expect(publicJwk).toBeDefined();
    const hs256 = await new SignJWT(decodeJwt(alice.accessToken))
      .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: kid ?? "" })
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    const error = await refusal(
      verifyAccessToken(hs256, forUsers({ fetch: counting })),
      "invalid_token",
      hs256,
    );
    expect(error.detail).toBe("alg is not accepted");
    expect(requests).toBe(0);
  });

  it("refuses an expired token as token_expired", async () => {
    const exp = decodeJwt(alice.accessToken).exp ?? 0;
    const after = new Date((exp + 6) * 1000);
    const error = await refusal(
      verifyAccessToken(alice.accessToken, forUsers({ currentDate: after })),
      "token_expired",
      alice.accessToken,
    );
    expect(error.message).toBe("The access token has expired");
  });

  it("refuses a token checked before it was issued", async () => {
    const iat = decodeJwt(alice.accessToken).iat ?? 0;
    const before = new Date((iat - 60) * 1000);
    const error = await refusal(
      verifyAccessToken(alice.accessToken, forUsers({ currentDate: before })),
      "invalid_token",
    );
    expect(error.detail).toBe("iat is in the future");
  });

  it("refuses a token minted for another audience", async () => {
    const error = await refusal(
      verifyAccessToken(alice.accessToken, forUsers({ audience: "https://other.example.com" })),
      "invalid_token",
    );
    expect(error.detail).toBe("aud check failed");
    // A user's token is not the resource server's either.
    await refusal(verifyAccessToken(alice.accessToken, forResource()), "invalid_token");
  });

  it("refuses a token of another issuer", async () => {
    tessera.cli(["tenant", "create", "other"]);
    const otherIssuer = `${tessera.url}/tenants/other`;
    // Through discovery, the other tenant's keys: none has the token's kid.
    const unknownKid = await refusal(
      verifyAccessToken(alice.accessToken, forUsers({ issuer: otherIssuer })),
      "invalid_token",
    );
    expect(unknownKid.detail).toBe("no key of the issuer has its kid");
    // With the right keys but another issuer expected: iss decides.
    const wrongIss = await refusal(
      verifyAccessToken(
        alice.accessToken,
        forUsers({ issuer: otherIssuer, jwksUri: `${tessera.issuer}/.well-known/jwks.json` }),
      ),
      "invalid_token",
    );
    expect(wrongIss.detail).toBe("iss check failed");
  });

  it("refuses an ID token, an operation token and a refresh token", async () => {
    const id = await refusal(verifyAccessToken(alice.idToken, forUsers()), "invalid_token");
    expect(id.detail).toBe("typ is not accepted");
    const operation = await operationTokens(tessera, "alice");
    for (const token of [operation.operation_token, operation.refresh_token]) {
      await refusal(
        verifyAccessToken(token, forUsers({ audience: decodeJwt(token).aud as string })),
        "invalid_token",
      );
    }
    const refresh = await refusal(
      verifyAccessToken(alice.refreshToken, forUsers()),
      "invalid_token",
    );
    expect(refresh.detail).toBe("not a JWT");
  });

  it("refuses a token of a typ or kind not accepted", async () => {
    const short = await shortTermToken(tessera, webKey, bot, { audience: RESOURCE });
    // The default, at+jwt, never takes a machine's short-term token for a user's access token.
    const typ = await refusal(verifyAccessToken(short, forResource()), "invalid_token");
    expect(typ.detail).toBe("typ is not accepted");
    await refusal(
      verifyAccessToken(await clientCredentials(), forResource({ typ: "automation+jwt" })),
      "invalid_token",
    );
    const kind = await refusal(
      verifyAccessToken(await clientCredentials(), forResource({ kinds: ["access_token"] })),
      "invalid_token",
    );
    expect(kind.detail).toBe("a client_access_token is not accepted here");
  });
});

describe("refused: 403 insufficient_scope", () => {
  it("names the scopes required when the token lacks one", async () => {
    const error = await refusal(
      verifyAccessToken(
        await clientCredentials("reports:read"),
        forResource({ requiredScopes: ["reports:read", "reports:write"] }),
      ),
      "insufficient_scope",
    );
    expect(error.requiredScopes).toEqual(["reports:read", "reports:write"]);
    expect(error.detail).toBe("missing reports:write");
  });
});

describe("options no resource server should run with", () => {
  it("are refused when the verifier is made", () => {
    const base = { issuer: "https://auth.example.com/tenants/default", audience: RESOURCE };
    const refused: [Record<string, unknown>, ErrorConstructor][] = [
      [{ algorithms: ["HS256"] }, TypeError],
      [{ algorithms: ["none"] }, TypeError],
      [{ algorithms: [] }, TypeError],
      [{ typ: "JWT" }, TypeError],
      [{ kinds: ["id_token"] }, TypeError],
      [{ typ: "at+jwt", kinds: ["short_term_token"] }, TypeError],
      [{ audience: [] }, TypeError],
      [{ audience: "" }, TypeError],
      [{ issuer: "auth.example.com" }, TypeError],
      [{ clockToleranceSeconds: 301 }, RangeError],
      [{ clockToleranceSeconds: -1 }, RangeError],
      [{ jwksCooldownSeconds: 601 }, RangeError],
      [{ requiredScopes: ["two words"] }, TypeError],
      [{ currentDate: new Date(), clock: { now: () => 0 } }, TypeError],
    ];
    for (const [more, type] of refused) {
      expect(() =>
        createAccessTokenVerifier({ ...base, ...more } as unknown as AccessTokenVerifierOptions),
      ).toThrow(type);
    }
    expect(() => createAccessTokenVerifier({ ...base, clockToleranceSeconds: 300 })).not.toThrow();
  });
});
