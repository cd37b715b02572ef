import {
  createLocalJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  jwtVerify,
  SignJWT,
} from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Harness,
  type SessionBody,
  sessionOf,
  startHarness,
  TENANT,
} from "../../../test/support/harness.js";
import { changeUserPermission, setUserEnabled } from "../../core/users.js";

let h: Harness;
let admin: SessionBody;

beforeEach(async () => {
  h = await startHarness();
  await h.addUser("root", ["admin", "impersonate"]);
  await h.addUser("support", ["impersonate", "reports"]);
  await h.addUser("alice", ["reports"]);
  await h.addUser("boss", ["billing"]);
  admin = sessionOf(await h.login("root"));
});
afterEach(async () => {
  await h.close();
});

function impersonate(caller: SessionBody, username: unknown, extra: Record<string, string> = {}) {
  return h.send(
    "POST",
    "/auth/impersonate",
    { username },
    {
      authorization: `Bearer ${caller.session.authorization}`,
      accesstoken: caller.session.accessToken,
      ...extra,
    },
  );
}

describe("POST /auth/impersonate: 200", () => {
  it("returns the target's tokens with act naming the caller, and marks the endpoint deprecated", async () => {
    const response = await impersonate(admin, "alice");
    const body = sessionOf(response);
    expect(body.username).toBe("alice");
    expect(response.headers.deprecation).toMatch(/^@\d+$/);
    expect(response.headers.link).toContain('rel="successor-version"');
    const jwks = await h.app.inject({ method: "GET", url: "/.well-known/jwks.json" });
    const { payload } = await jwtVerify(
      body.session.accessToken,
      createLocalJWKSet(jwks.json<JSONWebKeySet>()),
      {
        algorithms: ["ES256"],
        issuer: "https://auth.example.test/tenants/default",
        audience: h.clientId,
        typ: "at+jwt",
        currentDate: new Date(h.clock.now()),
      },
    );
    const root = await h.runtime.store.users.getByUsername(TENANT, "root");
    expect(payload.act).toEqual({ sub: root?.id });
    const events = await h.runtime.store.audit.list(TENANT, { limit: 5 });
    const started = events.find((e) => e.type === "impersonation.started");
    expect(started?.actorUserId).toBe(root?.id);
    expect(started?.detail).toMatchObject({ actorUsername: "root", subjectUsername: "alice" });
  });

  it("lets a non-admin impersonate a user whose permissions it holds", async () => {
    const support = sessionOf(await h.login("support"));
    expect((await impersonate(support, "alice")).statusCode).toBe(200);
  });

  it("ends the impersonation session when the caller's session ends", async () => {
    const imp = sessionOf(await impersonate(admin, "alice"));
    expect((await h.send("POST", "/auth/token", imp)).statusCode).toBe(200);
    await h.send("DELETE", "/auth/token", admin);
    const refresh = await h.send("POST", "/auth/token", imp);
    expect(refresh.statusCode).toBe(401);
  });
});

describe("POST /auth/impersonate: 400", () => {
  it.each([
    [undefined, "username is required"],
    [42, "username must be a string"],
    ["", "username must not be empty"],
    ["x".repeat(1025), "username must be at most 1024 characters"],
  ])("refuses username %j", async (username, message) => {
    const response = await h.send(
      "POST",
      "/auth/impersonate",
      username === undefined ? {} : { username },
      { authorization: admin.session.authorization, accesstoken: admin.session.accessToken },
    );
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ status: "error", message });
  });
});

describe("POST /auth/impersonate: 401", () => {
  it("needs both tokens", async () => {
    const response = await h.send(
      "POST",
      "/auth/impersonate",
      { username: "alice" },
      { authorization: admin.session.authorization },
    );
    expect(response.statusCode).toBe(401);
  });

  it("refuses tokens of two different sessions", async () => {
    const other = sessionOf(await h.login("root"));
    const response = await impersonate(admin, "alice", { accesstoken: other.session.accessToken });
    expect(response.statusCode).toBe(401);
  });

  it("refuses an ID token in the AccessToken header", async () => {
    const response = await impersonate(admin, "alice", {
      accesstoken: admin.session.authorization,
    });
    expect(response.statusCode).toBe(401);
  });

  it("refuses a forged token signed with alg none", async () => {
    const [, payload] = admin.session.accessToken.split(".");
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "at+jwt" })).toString(
      "base64url",
    );
    const response = await impersonate(admin, "alice", { accesstoken: `${header}.${payload}.` });
    expect(response.statusCode).toBe(401);
  });

  it("refuses an HS256 token carrying a real kid (algorithm confusion)", async () => {
    const { kid } = decodeProtectedHeader(admin.session.accessToken);
    const [, payload] = admin.session.accessToken.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8"));
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "at+jwt", ...(kid === undefined ? {} : { kid }) })
      .sign(new TextEncoder().encode("a guessed shared secret of 32 bytes!"));
    const response = await impersonate(admin, "alice", { accesstoken: forged });
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toBe("Invalid token");
  });

  it("judges both tokens before their session: a revoked session with a forged ID token is an invalid token", async () => {
    await h.send("DELETE", "/auth/token", admin);
    const [header, payload, signature = ""] = admin.session.authorization.split(".");
    const flipped = signature[8] === "A" ? "B" : "A";
    const forgedId = `${header}.${payload}.${signature.slice(0, 8)}${flipped}${signature.slice(9)}`;
    const forged = await impersonate(admin, "alice", { authorization: `Bearer ${forgedId}` });
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toEqual({ status: "error", message: "Invalid token" });
    // Both tokens genuine: the session's end is what is said.
    const genuine = await impersonate(admin, "alice");
    expect(genuine.json()).toEqual({ status: "error", message: "Token has been revoked" });
  });

  it("says two tokens are not of one session before it judges either session", async () => {
    const other = sessionOf(await h.login("root"));
    await h.send("DELETE", "/auth/token", admin);
    const response = await impersonate(other, "alice", { accesstoken: admin.session.accessToken });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      status: "error",
      message: "The ID token and access token are not of one session",
    });
  });

  it("refuses an expired access token", async () => {
    h.clock.advance(3_600_000 + 10_000);
    const response = await impersonate(admin, "alice");
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toBe("Token has expired");
  });
});

describe("POST /auth/impersonate: 403", () => {
  it("refuses a caller without impersonate", async () => {
    const alice = sessionOf(await h.login("alice"));
    const response = await impersonate(alice, "boss");
    expect(response.statusCode).toBe(403);
    expect(response.json().message).toBe("You are not allowed to impersonate users");
  });

  it("refuses impersonating oneself", async () => {
    expect((await impersonate(admin, "root")).statusCode).toBe(403);
  });

  it("refuses a target with more privilege than the caller", async () => {
    const support = sessionOf(await h.login("support"));
    expect((await impersonate(support, "boss")).statusCode).toBe(403);
    expect((await impersonate(support, "root")).statusCode).toBe(403);
  });

  it("refuses impersonating from an impersonation session", async () => {
    const imp = sessionOf(await impersonate(admin, "support"));
    const response = await impersonate(imp, "alice");
    expect(response.statusCode).toBe(403);
    expect(response.json().message).toBe("An impersonation session cannot impersonate");
  });

  it("applies a revoked permission at once", async () => {
    const support = sessionOf(await h.login("support"));
    await changeUserPermission(h.runtime.ctx, {
      tenantId: TENANT,
      username: "support",
      permission: "impersonate",
      grant: false,
    });
    expect((await impersonate(support, "alice")).statusCode).toBe(403);
  });
});

describe("POST /auth/impersonate: 422", () => {
  it("answers the same for an unknown and a disabled target", async () => {
    await setUserEnabled(h.runtime.ctx, { tenantId: TENANT, username: "alice", enabled: false });
    const unknown = await impersonate(admin, "nobody");
    const disabled = await impersonate(admin, "alice");
    expect(unknown.statusCode).toBe(422);
    expect(disabled.statusCode).toBe(422);
    expect(disabled.body).toBe(unknown.body);
  });
});
