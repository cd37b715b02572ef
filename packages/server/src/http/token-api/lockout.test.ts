import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeTwoInstances, inParallel, statusCounts } from "../../../test/support/guesses.js";
import {
  type Harness,
  startHarness,
  startSecondInstance,
  TENANT,
} from "../../../test/support/harness.js";
import {
  addClient,
  issueLong,
  otpBody,
  otpCode,
  postLong,
  postShort,
  secretBody,
  type TestClient,
} from "../../../test/support/token-api.js";
import { createApiKey } from "../../core/api-keys.js";
import type { TenantId } from "../../core/ids.js";
import { createTenant } from "../../core/tenants.js";

/**
 * Client ids are not secrets (every short-term token carries its client's),
 * so naming a client must never let a stranger spend that client's budgets.
 */
describe("token API: nobody can lock a client out by naming it", () => {
  let h: Harness;
  let victim: TestClient;
  let otherTenantKey: string;

  beforeAll(async () => {
    h = await startHarness({
      TESSERA_STEP_UP_MAX_FAILURES_PER_CLIENT: "3",
      TESSERA_STEP_UP_MAX_FAILURES_PER_IP: "1000",
      TESSERA_TOKEN_API_REQUESTS_PER_MINUTE_PER_CLIENT: "5",
    });
    victim = await addClient(h);
    await createTenant(h.runtime.ctx, { id: "elsewhere" });
    otherTenantKey = (await createApiKey(h.runtime.ctx, { tenantId: "elsewhere" as TenantId })).key;
  });

  afterAll(async () => {
    await h.close();
  });

  it("wrong secrets sent through another tenant's key do not count against the client", async () => {
    for (let attempt = 0; attempt < 6; attempt++) {
      const response = await postLong(h, secretBody(victim, { client_secret: "tsr_cs_wrong" }), {
        "x-api-key": otherTenantKey,
      });
      // Counted under the tenant asked, as any client id it does not have: refused alike once spent.
      expect(response.statusCode).toBe(attempt < 3 ? 401 : 429);
    }

    expect((await postLong(h, secretBody(victim))).statusCode).toBe(201);
  });

  it("requests that name the client but do not prove it do not spend its request budget", async () => {
    const long = await issueLong(h, victim);
    for (let attempt = 0; attempt < 6; attempt++) {
      expect(
        (await postLong(h, secretBody(victim, { client_secret: "tsr_cs_x" }))).statusCode,
      ).toBe(attempt < 3 ? 401 : 429);
    }

    // The failures ran out the step-up budget, not the client's requests:
    // its existing token keeps working.
    expect((await postShort(h, long.token)).statusCode).toBe(201);
  });

  it("locks a client's secret out after parallel wrong guesses, counting each that was checked", async () => {
    const target = await addClient(h);
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        postLong(h, secretBody(target, { client_secret: "tsr_cs_guess" })),
      ),
    );
    const statuses = answers.map((answer) => answer.statusCode);
    const checked = statuses.filter((status) => status === 401).length;

    // A 256-bit secret cannot be guessed: guesses in flight may overshoot the budget, never pass.
    expect(checked).toBeGreaterThanOrEqual(3);
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
    const events = await h.runtime.ctx.store.audit.list(TENANT, { limit: 1000 });
    expect(
      events.filter(
        (event) => event.type === "client.step_up_failed" && event.detail.clientId === target.id,
      ),
    ).toHaveLength(checked);
    expect((await postLong(h, secretBody(target))).statusCode).toBe(429);
  });
});

describeTwoInstances("token API: guesses at a client's OTP code on two instances", (env) => {
  const BUDGET = 3;
  const GUESSES = 40;
  let first: Harness;
  let second: Harness;

  beforeAll(async () => {
    first = await startHarness({
      ...env(),
      TESSERA_STEP_UP_MAX_FAILURES_PER_CLIENT: String(BUDGET),
      TESSERA_STEP_UP_MAX_FAILURES_PER_IP: "1000",
    });
    second = await startSecondInstance(first);
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it(`checks at most ${BUDGET} of ${GUESSES} wrong codes sent at once, split across both`, async () => {
    const target = await addClient(first, { otp: true });
    const right = await otpCode(target, first.clock.now());
    // Six digits, none of them the right code.
    const wrong = (i: number) => String((Number(right) + 500_000 + i) % 1_000_000).padStart(6, "0");

    const answers = await inParallel(GUESSES, (i) =>
      postLong(i % 2 === 0 ? first : second, otpBody(target, wrong(i))),
    );

    expect(statusCounts(answers)).toEqual({ 401: BUDGET, 429: GUESSES - BUDGET });
    const events = await first.runtime.ctx.store.audit.list(TENANT, { limit: 1000 });
    const checked = events.filter(
      (event) => event.type === "client.step_up_failed" && event.detail.clientId === target.id,
    );
    expect(checked).toHaveLength(BUDGET);
    // The right code waits too, on either instance, until the window ends.
    expect((await postLong(second, otpBody(target, right))).statusCode).toBe(429);
  });
});

describeTwoInstances("token API: a client's right secret, many requests at once", (env) => {
  let first: Harness;
  let second: Harness;

  beforeAll(async () => {
    first = await startHarness({
      ...env(),
      TESSERA_STEP_UP_MAX_FAILURES_PER_CLIENT: "3",
      TESSERA_STEP_UP_MAX_FAILURES_PER_IP: "3",
    });
    second = await startSecondInstance(first);
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it("issues to every one of more requests in flight than the failure budget", async () => {
    const target = await addClient(first);

    const answers = await inParallel(20, (i) =>
      postLong(i % 2 === 0 ? first : second, secretBody(target)),
    );

    expect(statusCounts(answers)).toEqual({ 201: 20 });
  });
});
