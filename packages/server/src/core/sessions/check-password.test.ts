import { afterAll, beforeAll, expect, it } from "vitest";
import {
  describeOnEachCache,
  describeTwoInstances,
  inParallel,
  loginEvents,
} from "../../../test/support/guesses.js";
import {
  type Harness,
  PASSWORD,
  startHarness,
  startSecondInstance,
  TENANT,
} from "../../../test/support/harness.js";
import type { CoreContext } from "../context.js";
import { isTesseraError, TesseraError } from "../errors.js";
import { checkPassword } from "./check-password.js";

const LIMIT = 4;
const GUESSES = 30;

/** The outcome of one password check: "ok", or the error code it threw. */
async function outcome(ctx: CoreContext, username: string, password: string, ip: string) {
  try {
    await checkPassword(ctx, { tenantId: TENANT, username, password, ip });
    return "ok";
  } catch (error) {
    if (isTesseraError(error)) {
      return error.code;
    }
    throw error;
  }
}

function tally(outcomes: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of outcomes) {
    counts[value] = (counts[value] ?? 0) + 1;
  }
  return counts;
}

describeOnEachCache("checkPassword under the login throttle", (cacheEnv) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      ...cacheEnv(),
      TESSERA_LOGIN_MAX_FAILURES_PER_USER_IP: String(LIMIT),
    });
    for (const username of ["alice", "bob"]) {
      await h.addUser(username);
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  it(`checks at most ${LIMIT} of ${GUESSES} wrong passwords at once, and refuses the rest before the hash`, async () => {
    const outcomes = await inParallel(GUESSES, (i) =>
      outcome(h.runtime.ctx, "alice", `wrong guess ${i}`, "198.51.100.7"),
    );

    expect(tally(outcomes)).toEqual({ invalid_credentials: LIMIT, rate_limited: GUESSES - LIMIT });
    expect(await loginEvents(h, "login.failed", "alice")).toBe(LIMIT);
    expect(await loginEvents(h, "login.throttled", "alice")).toBe(GUESSES - LIMIT);
    expect(await outcome(h.runtime.ctx, "alice", PASSWORD, "198.51.100.7")).toBe("rate_limited");
    expect(await outcome(h.runtime.ctx, "alice", PASSWORD, "198.51.100.8")).toBe("ok");
  });

  it("clears the failure streak of that user and IP on success", async () => {
    const ip = "198.51.100.9";
    await inParallel(LIMIT - 1, (i) => outcome(h.runtime.ctx, "bob", `wrong guess ${i}`, ip));

    expect(await outcome(h.runtime.ctx, "bob", PASSWORD, ip)).toBe("ok");

    const after = await inParallel(GUESSES, (i) =>
      outcome(h.runtime.ctx, "bob", `wrong guess ${i}`, ip),
    );
    expect(tally(after)).toEqual({ invalid_credentials: LIMIT, rate_limited: GUESSES - LIMIT });
  });
});

describeOnEachCache("checkPassword when the store cannot be read", (cacheEnv) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      ...cacheEnv(),
      TESSERA_LOGIN_MAX_FAILURES_PER_USER_IP: String(LIMIT),
    });
    await h.addUser("erin");
  });
  afterAll(async () => {
    await h?.close();
  });

  it("spends nothing on an attempt whose password was never checked", async () => {
    const ctx = h.runtime.ctx;
    const down: CoreContext = {
      ...ctx,
      store: {
        ...ctx.store,
        users: {
          ...ctx.store.users,
          getByUsername: () => Promise.reject(new TesseraError("unavailable", "Store down")),
        },
      },
    };

    for (let i = 0; i < 3 * LIMIT; i++) {
      expect(await outcome(down, "erin", `wrong guess ${i}`, "198.51.100.20")).toBe("unavailable");
    }

    expect(await outcome(ctx, "erin", PASSWORD, "198.51.100.20")).toBe("ok");
    const guesses = await inParallel(GUESSES, (i) =>
      outcome(ctx, "erin", `wrong guess ${i}`, "198.51.100.20"),
    );
    expect(tally(guesses)).toEqual({ invalid_credentials: LIMIT, rate_limited: GUESSES - LIMIT });
  });
});

describeOnEachCache("checkPassword: what successes and refusals spend", (cacheEnv) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      ...cacheEnv(),
      TESSERA_LOGIN_MAX_FAILURES_PER_USER_IP: "100",
      TESSERA_LOGIN_MAX_FAILURES_PER_USER: String(LIMIT),
      TESSERA_LOGIN_MAX_FAILURES_PER_IP: String(LIMIT),
    });
    await h.addUser("dave");
  });
  afterAll(async () => {
    await h?.close();
  });

  it("gives a success's points back to the per-user and per-IP counters", async () => {
    for (let i = 0; i < 3 * LIMIT; i++) {
      expect(await outcome(h.runtime.ctx, "dave", PASSWORD, "203.0.113.1")).toBe("ok");
    }

    const guesses = await inParallel(GUESSES, (i) =>
      outcome(h.runtime.ctx, `user-${i}`, "wrong guess", "203.0.113.1"),
    );
    expect(tally(guesses)).toEqual({ invalid_credentials: LIMIT, rate_limited: GUESSES - LIMIT });
  });

  it("spends nothing on a refused attempt: the refused flood leaves other addresses' budgets whole", async () => {
    // 203.0.113.1 is out of failures: its flood at dave is refused...
    const flood = await inParallel(GUESSES, (i) =>
      outcome(h.runtime.ctx, "dave", `wrong guess ${i}`, "203.0.113.1"),
    );
    expect(tally(flood)).toEqual({ rate_limited: GUESSES });

    // ...and spent none of dave's own budget, which another address can still use up.
    const elsewhere = await inParallel(GUESSES, (i) =>
      outcome(h.runtime.ctx, "dave", `wrong guess ${i}`, "203.0.113.2"),
    );
    expect(tally(elsewhere)).toEqual({ invalid_credentials: LIMIT, rate_limited: GUESSES - LIMIT });
  });
});

describeTwoInstances("checkPassword at two instances", (env) => {
  let h: Harness;
  let other: Harness;
  beforeAll(async () => {
    h = await startHarness({ ...env(), TESSERA_LOGIN_MAX_FAILURES_PER_USER_IP: String(LIMIT) });
    other = await startSecondInstance(h);
    await h.addUser("carol");
  });
  afterAll(async () => {
    await other?.close();
    await h?.close();
  });

  it(`checks at most ${LIMIT} of ${GUESSES} guesses split across both`, async () => {
    const outcomes = await inParallel(GUESSES, (i) =>
      outcome((i % 2 === 0 ? h : other).runtime.ctx, "carol", `wrong guess ${i}`, "198.51.100.10"),
    );

    expect(tally(outcomes)).toEqual({ invalid_credentials: LIMIT, rate_limited: GUESSES - LIMIT });
    expect(await loginEvents(h, "login.failed", "carol")).toBe(LIMIT);
  });
});
