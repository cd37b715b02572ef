import { afterAll, beforeAll, expect, it } from "vitest";
import {
  describeOnEachCache,
  describeTwoInstances,
  inParallel,
  loginEvents,
  statusCounts,
} from "../../../test/support/guesses.js";
import {
  type Harness,
  sessionOf,
  startHarness,
  startSecondInstance,
} from "../../../test/support/harness.js";

/** The default budget of failures for one username from one IP. */
const PER_USER_AND_IP = 10;
const GUESSES = 60;

describeOnEachCache("POST /auth/token: parallel guesses", (cacheEnv) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(cacheEnv());
    await h.addUser("alice");
    await h.addUser("victim");
  });
  afterAll(async () => {
    await h.close();
  });

  it(`checks at most ${PER_USER_AND_IP} of ${GUESSES} wrong passwords sent at once`, async () => {
    const answers = await inParallel(GUESSES, (i) => h.login("alice", `wrong guess ${i}`));

    expect(statusCounts(answers)).toEqual({ 401: PER_USER_AND_IP, 429: GUESSES - PER_USER_AND_IP });
    expect(await loginEvents(h, "login.failed", "alice")).toBe(PER_USER_AND_IP);
    expect(await loginEvents(h, "login.throttled", "alice")).toBe(GUESSES - PER_USER_AND_IP);
    expect((await h.login("alice")).statusCode).toBe(429);
  });

  it("counts guesses at a user that does not exist exactly the same", async () => {
    const answers = await inParallel(GUESSES, (i) => h.login("nobody-here", `wrong guess ${i}`));

    expect(statusCounts(answers)).toEqual({ 401: PER_USER_AND_IP, 429: GUESSES - PER_USER_AND_IP });
    expect(await loginEvents(h, "login.failed", "nobody-here")).toBe(PER_USER_AND_IP);
  });

  it("keeps the victim's existing session refreshing while guesses pour in", async () => {
    const live = sessionOf(await h.login("victim"));

    const [guesses, refreshes] = await Promise.all([
      inParallel(GUESSES, (i) => h.login("victim", `wrong guess ${i}`)),
      inParallel(10, () => h.send("POST", "/auth/token", { session: live.session })),
    ]);

    expect(statusCounts(guesses)).toEqual({ 401: PER_USER_AND_IP, 429: GUESSES - PER_USER_AND_IP });
    expect(statusCounts(refreshes)).toEqual({ 200: 10 });
    expect((await h.send("POST", "/auth/token", live)).statusCode).toBe(200);
  });
});

describeTwoInstances("POST /auth/token: parallel guesses at two instances", (env) => {
  let first: Harness;
  let second: Harness;
  beforeAll(async () => {
    first = await startHarness(env());
    second = await startSecondInstance(first);
    await first.addUser("alice");
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it(`checks at most ${PER_USER_AND_IP} of ${GUESSES} guesses split across both`, async () => {
    const answers = await inParallel(GUESSES, (i) =>
      (i % 2 === 0 ? first : second).login("alice", `wrong guess ${i}`),
    );

    expect(statusCounts(answers)).toEqual({ 401: PER_USER_AND_IP, 429: GUESSES - PER_USER_AND_IP });
    expect(await loginEvents(first, "login.failed", "alice")).toBe(PER_USER_AND_IP);
    expect((await second.login("alice")).statusCode).toBe(429);
  });
});
