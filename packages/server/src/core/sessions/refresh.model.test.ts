import fc, { type Arbitrary, type AsyncCommand } from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, PASSWORD, startHarness } from "../../../test/support/harness.js";
import { type AuthenticatedClient, authenticateApiKey, createApiKey } from "../api-keys.js";
import { epochSeconds } from "../clock.js";
import { type ErrorCode, isTesseraError } from "../errors.js";
import type { SessionId } from "../ids.js";
import type { RefreshPolicy } from "../model/index.js";
import { generateOpaqueToken } from "../opaque-token.js";
import { createTenant } from "../tenants.js";
import { requireToken, revokeToken } from "../tokens/registry.js";
import { addUser } from "../users.js";
import { loginWithPassword } from "./login.js";
import { refreshSession } from "./refresh.js";

/*
 * The refresh / replay / revoke state machine (spec 000's session API under
 * DESIGN.md's refresh policies) against a reference model: random runs of
 * login, refresh with the current or an older refresh token, two refreshes
 * at once, bearer use of an access token, logout, and clock jumps (inside
 * and past the grace window, past access-token and refresh-token expiry).
 * After every step the core must answer as the model predicts, and the
 * stored sessions must be revoked exactly when, and for the reason, the
 * model says.
 */

const ACCESS_TTL_S = 60;
const REFRESH_TTL_S = 300;
const GRACE_S = 5;
/** The harness keeps the default leeway for `exp` (TESSERA_CLOCK_TOLERANCE_SECONDS). */
const TOLERANCE_S = 1;
const IP = "192.0.2.10";
const USERNAME = "model-user";

// ---------------------------------------------------------------- the model

/** A refresh token the client holds, and the access token handed out beside it. */
interface HeldRefresh {
  readonly token: string;
  readonly accessToken: string;
  /** When it was exchanged for the next one in its session's chain (policy `rotate`). */
  rotatedAt: number | null;
}

/** A session as the client sees it, and what the model says of it. */
interface HeldSession {
  readonly id: SessionId;
  readonly expiresAt: number;
  /** Refresh tokens in issue order; under `rotate` every one but the last is rotated. */
  readonly refresh: HeldRefresh[];
  /** Every access token handed out, with its `exp` (seconds). */
  readonly access: { readonly token: string; readonly exp: number }[];
  /** Why the session was revoked, if it was: the first revocation's reason stays. */
  revokedReason: "logout" | "refresh_token_reuse" | null;
}

/** The reference model: what a client of one tenant holds, and the rules that decide each answer. */
class Model {
  readonly sessions: HeldSession[] = [];
  constructor(readonly policy: RefreshPolicy) {}
}

/** What a refresh should give. */
type Expected =
  | { readonly kind: "error"; readonly code: ErrorCode }
  /** Policy `none`: the same refresh token, a fresh access token. */
  | { readonly kind: "same" }
  /** Policy `rotate`, current token: a new refresh token, a fresh access token. */
  | { readonly kind: "rotated" }
  /** An older token inside the grace window: exactly the pair its rotation handed out. */
  | { readonly kind: "replay"; readonly refreshToken: string; readonly accessToken: string }
  /** An older token after the grace window: the family is revoked. */
  | { readonly kind: "reuse" };

/** The rules of `refreshSession`, in the order a client can tell them apart. */
function predictRefresh(model: Model, s: HeldSession, index: number, now: number): Expected {
  if (s.expiresAt <= now) {
    return { kind: "error", code: "token_expired" };
  }
  if (s.revokedReason !== null) {
    return { kind: "error", code: "token_revoked" };
  }
  const held = s.refresh[index];
  const next = s.refresh[index + 1];
  if (held?.rotatedAt != null && next !== undefined) {
    return now - held.rotatedAt <= GRACE_S * 1000
      ? { kind: "replay", refreshToken: next.token, accessToken: next.accessToken }
      : { kind: "reuse" };
  }
  return model.policy === "none" ? { kind: "same" } : { kind: "rotated" };
}

/** Bearer use of an access token: its own `exp` (with leeway) first, then its session. */
function predictAccess(s: HeldSession, exp: number, now: number): ErrorCode | "ok" {
  // jose refuses when exp <= now - tolerance, in whole seconds (RFC 7519 §4.1.4).
  if (exp <= epochSeconds(now) - TOLERANCE_S) {
    return "token_expired";
  }
  if (s.revokedReason !== null) {
    return "token_revoked";
  }
  return s.expiresAt <= now ? "token_expired" : "ok";
}

// ------------------------------------------------------------ the real core

/** The environment every run of one policy shares: the core, its clock, a client of the tenant. */
interface Real {
  readonly h: Harness;
  readonly client: AuthenticatedClient;
}

/** What a core call gave: its tokens, or the code it failed with. */
type Outcome =
  | {
      readonly ok: true;
      readonly refreshToken: string;
      readonly accessToken: string;
      readonly accessTokenExpiresAt: number;
    }
  | { readonly ok: false; readonly code: ErrorCode };

async function attempt(
  call: () => Promise<{ refreshToken: string; accessToken: string; accessTokenExpiresAt: number }>,
): Promise<Outcome> {
  try {
    const { refreshToken, accessToken, accessTokenExpiresAt } = await call();
    return { ok: true, refreshToken, accessToken, accessTokenExpiresAt };
  } catch (error) {
    if (isTesseraError(error)) {
      return { ok: false, code: error.code };
    }
    throw error;
  }
}

/** Asserts that a refresh's outcome is the one the model expected at `now`. */
function expectRefresh(expected: Expected, outcome: Outcome, presented: string, now: number): void {
  if (expected.kind === "error" || expected.kind === "reuse") {
    const code = expected.kind === "reuse" ? "token_revoked" : expected.code;
    expect(outcome).toEqual({ ok: false, code });
    return;
  }
  if (!outcome.ok) {
    throw new Error(`expected a ${expected.kind} refresh, got ${outcome.code}`);
  }
  if (expected.kind === "replay") {
    expect(outcome.refreshToken).toBe(expected.refreshToken);
    expect(outcome.accessToken).toBe(expected.accessToken);
    return;
  }
  expect(outcome.accessTokenExpiresAt).toBe((epochSeconds(now) + ACCESS_TTL_S) * 1000);
  if (expected.kind === "same") {
    expect(outcome.refreshToken).toBe(presented);
  } else {
    expect(outcome.refreshToken).not.toBe(presented);
    expect(outcome.refreshToken).toMatch(/^tsr_rt_/);
  }
}

/** Applies a refresh the model expected (and the core gave) to the model. */
function applyRefresh(
  s: HeldSession,
  index: number,
  expected: Expected,
  outcome: Outcome,
  now: number,
) {
  if (expected.kind === "reuse") {
    s.revokedReason ??= "refresh_token_reuse";
  }
  if (!outcome.ok || expected.kind === "replay") {
    return;
  }
  s.access.push({ token: outcome.accessToken, exp: outcome.accessTokenExpiresAt / 1000 });
  if (expected.kind === "rotated") {
    const held = s.refresh[index];
    if (held !== undefined) {
      held.rotatedAt = now;
    }
    s.refresh.push({
      token: outcome.refreshToken,
      accessToken: outcome.accessToken,
      rotatedAt: null,
    });
  }
}

/** Asserts that every session the client holds is stored revoked exactly as the model says. */
async function expectStoredSessions(model: Model, real: Real): Promise<void> {
  for (const s of model.sessions) {
    const stored = await real.h.runtime.ctx.store.sessions.get(s.id);
    expect(stored?.revokedReason ?? null, `session ${s.id}`).toBe(s.revokedReason);
  }
}

// ---------------------------------------------------------------- commands

type Cmd = AsyncCommand<Model, Real>;

/** A pick among held items: `back` steps from the newest, clamped to the oldest. */
function pick<T>(items: readonly T[], back: number): { item: T | undefined; index: number } {
  const index = Math.max(0, items.length - 1 - back);
  return { item: items[index], index };
}

const hasSession = (m: Readonly<Model>) => m.sessions.length > 0;

class Login implements Cmd {
  check = () => true;
  async run(model: Model, real: Real) {
    const now = real.h.clock.now();
    const tokens = await loginWithPassword(real.h.runtime.ctx, {
      client: real.client,
      username: USERNAME,
      password: PASSWORD,
      ip: IP,
    });
    expect(tokens.session.expiresAt).toBe(now + REFRESH_TTL_S * 1000);
    model.sessions.push({
      id: tokens.session.id,
      expiresAt: tokens.session.expiresAt,
      refresh: [{ token: tokens.refreshToken, accessToken: tokens.accessToken, rotatedAt: null }],
      access: [{ token: tokens.accessToken, exp: tokens.accessTokenExpiresAt / 1000 }],
      revokedReason: null,
    });
  }
  toString = () => "login";
}

/** One refresh, or `concurrent` refreshes at once, presenting the same refresh token. */
class Refresh implements Cmd {
  constructor(
    readonly session: number,
    readonly back: number,
    readonly concurrent: 1 | 2,
  ) {}
  check = hasSession;
  async run(model: Model, real: Real) {
    const s = pick(model.sessions, this.session).item;
    const { item: held, index } = pick(s?.refresh ?? [], this.back);
    if (s === undefined || held === undefined) {
      throw new Error("the model holds no such token");
    }
    const now = real.h.clock.now();
    const expected = predictRefresh(model, s, index, now);
    const refresh = () =>
      refreshSession(real.h.runtime.ctx, {
        client: real.client,
        refreshToken: held.token,
        ip: IP,
      });
    const outcomes = await Promise.all(
      Array.from({ length: this.concurrent }, () => attempt(refresh)),
    );
    for (const outcome of outcomes) {
      expectRefresh(expected, outcome, held.token, now);
    }
    const [first, second] = outcomes;
    if (first === undefined) {
      throw new Error("no outcome");
    }
    if (second?.ok && first.ok && expected.kind !== "same") {
      // Both callers of one rotation share one successor (DESIGN.md: refresh policy).
      expect(second.refreshToken).toBe(first.refreshToken);
      expect(second.accessToken).toBe(first.accessToken);
    }
    applyRefresh(s, index, expected, first, now);
    if (second?.ok && expected.kind === "same") {
      s.access.push({ token: second.accessToken, exp: second.accessTokenExpiresAt / 1000 });
    }
    await expectStoredSessions(model, real);
  }
  toString = () =>
    `refresh(session -${this.session}, token -${this.back}${this.concurrent === 2 ? ", twice at once" : ""})`;
}

/** A refresh token Tessera never issued: well-formed, unknown. */
class RefreshUnknown implements Cmd {
  check = () => true;
  async run(_model: Model, real: Real) {
    const refreshToken = generateOpaqueToken("tsr_rt");
    const outcome = await attempt(() =>
      refreshSession(real.h.runtime.ctx, { client: real.client, refreshToken, ip: IP }),
    );
    expect(outcome).toEqual({ ok: false, code: "invalid_token" });
  }
  toString = () => "refresh(unknown token)";
}

/** Bearer use of one of a session's access tokens. */
class UseAccess implements Cmd {
  constructor(
    readonly session: number,
    readonly back: number,
  ) {}
  check = hasSession;
  async run(model: Model, real: Real) {
    const s = pick(model.sessions, this.session).item;
    const access = pick(s?.access ?? [], this.back).item;
    if (s === undefined || access === undefined) {
      throw new Error("the model holds no such token");
    }
    const now = real.h.clock.now();
    const expected = predictAccess(s, access.exp, now);
    let actual: ErrorCode | "ok" = "ok";
    try {
      const { session } = await requireToken(real.h.runtime.ctx, access.token, {
        kinds: ["access_token"],
        tenantId: real.client.tenant.id,
        audience: real.client.clientId,
      });
      expect(session.id).toBe(s.id);
    } catch (error) {
      if (!isTesseraError(error)) {
        throw error;
      }
      actual = error.code;
    }
    expect(actual).toBe(expected);
  }
  toString = () => `use access token(session -${this.session}, token -${this.back})`;
}

/** Logout with one of the session's refresh tokens or access tokens: always ends that session. */
class Logout implements Cmd {
  constructor(
    readonly session: number,
    readonly back: number,
    readonly by: "refresh" | "access",
  ) {}
  check = hasSession;
  async run(model: Model, real: Real) {
    const s = pick(model.sessions, this.session).item;
    if (s === undefined) {
      throw new Error("the model holds no such session");
    }
    const token = pick<{ token: string }>(this.by === "refresh" ? s.refresh : s.access, this.back)
      .item?.token;
    if (token === undefined) {
      throw new Error("the model holds no such token");
    }
    const result = await revokeToken(real.h.runtime.ctx, token, {
      tenantId: real.client.tenant.id,
      clientId: real.client.clientId,
      kinds: [this.by === "refresh" ? "refresh_token" : "access_token"],
      reason: "logout",
      ip: IP,
    });
    // RFC 7009 §2.1: a client may revoke what it holds, expired or not.
    expect(result.sessionId).toBe(s.id);
    s.revokedReason ??= "logout";
    await expectStoredSessions(model, real);
  }
  toString = () => `logout(session -${this.session}, ${this.by} token -${this.back})`;
}

class Advance implements Cmd {
  constructor(
    readonly ms: number,
    readonly label: string,
  ) {}
  check = () => true;
  async run(_model: Model, real: Real) {
    real.h.clock.advance(this.ms);
  }
  toString = () => `advance ${this.ms} ms (${this.label})`;
}

/** The last instant at which something of a session still holds. */
type Edge = "grace window" | "access token" | "session";

function lastInstant(s: HeldSession, edge: Edge): number | undefined {
  switch (edge) {
    case "grace window": {
      const rotated = s.refresh.findLast((held) => held.rotatedAt !== null)?.rotatedAt;
      return rotated == null ? undefined : rotated + GRACE_S * 1000;
    }
    case "access token": {
      const exp = s.access.at(-1)?.exp;
      return exp === undefined ? undefined : (exp + TOLERANCE_S) * 1000 - 1;
    }
    case "session":
      return s.expiresAt - 1;
  }
}

/** Moves the clock to the last millisecond an edge holds, or the first after it (never back). */
class JumpToEdge implements Cmd {
  constructor(
    readonly session: number,
    readonly edge: Edge,
    readonly after: boolean,
  ) {}
  check = hasSession;
  async run(model: Model, real: Real) {
    const s = pick(model.sessions, this.session).item;
    const last = s === undefined ? undefined : lastInstant(s, this.edge);
    const target = last === undefined ? undefined : last + (this.after ? 1 : 0);
    if (target !== undefined && target > real.h.clock.now()) {
      real.h.clock.set(target);
    }
  }
  toString = () =>
    `jump to ${this.after ? "just past" : "the end of"} ${this.edge} (session -${this.session})`;
}

function commandArbitraries(): Arbitrary<Cmd>[] {
  // Mostly the newest session and token; sometimes an older one.
  const session = fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    fc.integer({ min: 1, max: 3 }),
  );
  const back = fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 3 }));
  const older = fc.integer({ min: 1, max: 3 });
  const grace = GRACE_S * 1000;
  const accessGone = (ACCESS_TTL_S + TOLERANCE_S + 1) * 1000;
  const jump = (weight: number, label: string, min: number, max: number) => ({
    weight,
    arbitrary: fc.integer({ min, max }).map((ms) => new Advance(ms, label)),
  });
  // Small jumps often, so replays and reuses happen; expiry now and then.
  const clockJump = fc.oneof(
    jump(4, "inside the grace window", 0, grace),
    jump(3, "past the grace window", grace + 1, 3 * grace),
    jump(2, "past access expiry", accessGone, 2 * accessGone),
    jump(1, "past refresh expiry", REFRESH_TTL_S * 1000, REFRESH_TTL_S * 1000 + accessGone),
  );
  // To the very millisecond a rule turns, on either side; the grace window's end most often.
  const edgeJump = fc
    .tuple(
      session,
      fc.constantFrom<Edge>("grace window", "grace window", "access token", "session"),
      fc.boolean(),
    )
    .map(([s, edge, after]) => new JumpToEdge(s, edge, after));
  // Logins, logouts and made-up tokens now and then: a logout ends what the run has built up.
  const nowAndThen = fc.oneof(
    { weight: 2, arbitrary: fc.constant<Cmd>(new Login()) },
    fc.constant<Cmd>(new RefreshUnknown()),
    fc
      .tuple(session, back, fc.constantFrom("refresh" as const, "access" as const))
      .map(([s, b, by]): Cmd => new Logout(s, b, by)),
  );
  return [
    fc.tuple(session, back).map(([s, b]) => new Refresh(s, b, 1)),
    fc.tuple(session, older).map(([s, b]) => new Refresh(s, b, 1)),
    fc.tuple(session, back).map(([s, b]) => new Refresh(s, b, 2)),
    fc.tuple(session, back).map(([s, b]) => new UseAccess(s, b)),
    clockJump,
    clockJump,
    edgeJump,
    edgeJump,
    nowAndThen,
  ];
}

// -------------------------------------------------------------------- runs

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  expect(h.config.clockToleranceSeconds).toBe(TOLERANCE_S);
});
afterAll(async () => {
  await h?.close();
});

/** A tenant of `policy` with short lifetimes, a user in it, and an API key's client. */
async function clientOfPolicy(policy: RefreshPolicy): Promise<AuthenticatedClient> {
  const ctx = h.runtime.ctx;
  const tenant = await createTenant(ctx, {
    id: `model-${policy}`,
    refreshPolicy: policy,
    refreshGraceSeconds: GRACE_S,
    accessTokenTtlSeconds: ACCESS_TTL_S,
    refreshTokenTtlSeconds: REFRESH_TTL_S,
  });
  await addUser(ctx, { tenantId: tenant.id, username: USERNAME, password: PASSWORD });
  const { key } = await createApiKey(ctx, { tenantId: tenant.id, name: "model" });
  return authenticateApiKey(ctx, key);
}

describe.each(["none", "rotate"] as const)("sessions under refresh policy %s", (policy) => {
  it("answer as the reference model predicts over random login, refresh, reuse, logout and clock jumps", async () => {
    const real: Real = { h, client: await clientOfPolicy(policy) };
    // Every run starts logged in, so no step is spent waiting for a session.
    const setup = async () => {
      const model = new Model(policy);
      await new Login().run(model, real);
      return { model, real };
    };
    await fc.assert(
      fc.asyncProperty(
        fc.commands(commandArbitraries(), { maxCommands: 30, size: "max" }),
        (commands) => fc.asyncModelRun(setup, commands),
      ),
      { numRuns: 30 },
    );
  });
});
