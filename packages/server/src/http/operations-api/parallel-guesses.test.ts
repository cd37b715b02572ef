import { afterAll, beforeAll, expect, it } from "vitest";
import {
  describeOnEachCache,
  inParallel,
  loginEvents,
  statusCounts,
} from "../../../test/support/guesses.js";
import { basic, bearer, type Harness, startHarness } from "../../../test/support/harness.js";
import { login, refresh, userInfo } from "../../../test/support/operations.js";

/** The default budget of failures for one username from one IP. */
const PER_USER_AND_IP = 10;
const GUESSES = 60;
const SPLIT = { 401: PER_USER_AND_IP, 429: GUESSES - PER_USER_AND_IP };

describeOnEachCache("operations API: parallel guesses", (cacheEnv) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(cacheEnv());
    for (const username of ["alice", "bob", "carol"]) {
      await h.addUser(username);
    }
  });
  afterAll(async () => {
    await h.close();
  });

  it(`checks at most ${PER_USER_AND_IP} of ${GUESSES} Basic guesses on an operation sent at once`, async () => {
    const answers = await inParallel(GUESSES, (i) =>
      userInfo(h, basic("alice", `wrong guess ${i}`)),
    );

    expect(statusCounts(answers)).toEqual(SPLIT);
    expect(await loginEvents(h, "login.failed", "alice")).toBe(PER_USER_AND_IP);
    expect((await userInfo(h, basic("alice"))).statusCode).toBe(429);
  });

  it(`checks at most ${PER_USER_AND_IP} of ${GUESSES} create_authentication_tokens guesses sent at once`, async () => {
    const answers = await inParallel(GUESSES, (i) =>
      h.operation({
        operation: "create_authentication_tokens",
        username: "bob",
        password: `wrong guess ${i}`,
      }),
    );

    expect(statusCounts(answers)).toEqual(SPLIT);
    expect(await loginEvents(h, "login.failed", "bob")).toBe(PER_USER_AND_IP);
    expect(await loginEvents(h, "login.throttled", "bob")).toBe(GUESSES - PER_USER_AND_IP);
  });

  it(`answers all of ${GUESSES} operations sent at once with the right Basic credentials, checking them once`, async () => {
    await h.addUser("dana");
    const answers = await inParallel(GUESSES, () => userInfo(h, basic("dana")));

    expect(statusCounts(answers)).toEqual({ 200: GUESSES });
    expect(await loginEvents(h, "login.throttled", "dana")).toBe(0);
  });

  it("keeps the victim's operation tokens working and refreshing while guesses pour in", async () => {
    const tokens = await login(h, "carol");

    const [guesses, uses, refreshes] = await Promise.all([
      inParallel(GUESSES, (i) => userInfo(h, basic("carol", `wrong guess ${i}`))),
      inParallel(5, () => userInfo(h, bearer(tokens.operation_token))),
      inParallel(5, () => refresh(h, bearer(tokens.refresh_token))),
    ]);

    expect(statusCounts(guesses)).toEqual(SPLIT);
    expect(statusCounts(uses)).toEqual({ 200: 5 });
    expect(statusCounts(refreshes)).toEqual({ 200: 5 });
  });
});
