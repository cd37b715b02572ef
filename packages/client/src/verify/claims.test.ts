import { describe, expect, it } from "vitest";
import { classifyClaims, scopesOf } from "./claims.js";

const registered = {
  iss: "https://auth.example.com/tenants/default",
  aud: "https://reports.example.com",
  exp: 2_000_000_000,
  iat: 1_999_996_400,
  jti: "6b1c0f5e-1d7e-4a53-9d61-3f1f4c0b7a11",
};
const user = { ...registered, sub: "alice-id", client_id: "webclient", sid: "session-id" };
const client = { ...registered, sub: "botclient", client_id: "botclient", scope: "a b" };

describe("the kind of a signed token's claims", () => {
  it("tells Tessera's access tokens apart", () => {
    expect(classifyClaims("at+jwt", { ...user, token_use: "access" }).kind).toBe("access_token");
    expect(
      classifyClaims("at+jwt", { ...user, token_use: "delegated", act: { sub: "bob-id" } }).kind,
    ).toBe("delegated_access_token");
    expect(classifyClaims("at+jwt", client).kind).toBe("client_access_token");
    expect(classifyClaims("automation+jwt", { ...client, token_use: "automation" }).kind).toBe(
      "short_term_token",
    );
  });

  it("takes no other token for an access token, whatever its typ says", () => {
    const refused = [
      // An ID token, even one typed as an access token.
      classifyClaims("at+jwt", { ...user, token_use: "id" }),
      // A short-term token's use under a user's typ, and the reverse.
      classifyClaims("at+jwt", { ...client, token_use: "automation" }),
      classifyClaims("automation+jwt", { ...user, token_use: "access" }),
      // A user's token without its session, a delegation without its actor.
      classifyClaims("at+jwt", { ...client, token_use: "access" }),
      classifyClaims("at+jwt", { ...user, token_use: "delegated" }),
      // A client's token naming a session, or another subject than the client.
      classifyClaims("at+jwt", { ...client, sid: "session-id" }),
      classifyClaims("at+jwt", { ...client, sub: "someone-else" }),
      // Claims of the wrong type.
      classifyClaims("at+jwt", { ...client, scope: ["a", "b"] }),
      classifyClaims("at+jwt", { ...user, token_use: "delegated", act: { sub: 7 } }),
      classifyClaims("at+jwt", { ...user, token_use: "access", username: 42 }),
    ];
    for (const classification of refused) {
      expect(classification.kind).toBeUndefined();
    }
  });

  it("reads scopes from scope, space-separated, or else from scopes", () => {
    const read = (claims: Record<string, unknown>) => {
      const classified = classifyClaims("at+jwt", { ...client, ...claims });
      return classified.kind === undefined ? undefined : scopesOf(classified.claims);
    };
    expect(read({ scope: "reports:read  reports:write" })).toEqual([
      "reports:read",
      "reports:write",
    ]);
    expect(read({ scope: undefined, scopes: ["reports:read"] })).toEqual(["reports:read"]);
    expect(read({ scope: undefined })).toEqual([]);
  });
});
