import { describe, expect, it } from "vitest";
import { renewalTime, skewMsOf } from "./clock.js";
import { Serial } from "./serial.js";
import { SingleFlight } from "./single-flight.js";

/** A promise and the functions that settle it, for tasks the test finishes by hand. */
function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (reason: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("SingleFlight", () => {
  it("runs one task for 50 concurrent callers, and all get its result", async () => {
    const flight = new SingleFlight<string>();
    const gate = deferred<string>();
    let runs = 0;
    const task = () => {
      runs += 1;
      return gate.promise;
    };

    const callers = Array.from({ length: 50 }, () => flight.run(task));
    expect(flight.pending).toBe(true);
    gate.resolve("token-1");

    expect(await Promise.all(callers)).toEqual(Array(50).fill("token-1"));
    expect(runs).toBe(1);
    expect(flight.pending).toBe(false);
  });

  it("rejects every waiting caller with the failure, and the next call runs afresh", async () => {
    const flight = new SingleFlight<string>();
    const gate = deferred<string>();
    let runs = 0;
    const callers = Array.from({ length: 5 }, () =>
      flight.run(() => {
        runs += 1;
        return gate.promise;
      }),
    );
    gate.reject(new Error("refused"));

    const outcomes = await Promise.allSettled(callers);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(5).fill("rejected"));
    expect(flight.pending).toBe(false);

    expect(await flight.run(async () => `token-${++runs}`)).toBe("token-2");
  });

  it("treats a task that throws at once as a failed run, not one left in flight", async () => {
    const flight = new SingleFlight<string>();
    await expect(
      flight.run(() => {
        throw new Error("no");
      }),
    ).rejects.toThrow("no");
    expect(flight.pending).toBe(false);
    expect(await flight.run(async () => "yes")).toBe("yes");
  });

  it("settled() waits for the run in flight whatever its outcome", async () => {
    const flight = new SingleFlight<string>();
    const gate = deferred<string>();
    const run = flight.run(() => gate.promise);
    let settled = false;
    const waiting = flight.settled().then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    gate.reject(new Error("failed"));
    await waiting;
    expect(settled).toBe(true);
    await expect(run).rejects.toThrow("failed");
    await expect(new SingleFlight<string>().settled()).resolves.toBeUndefined();
  });
});

describe("Serial", () => {
  it("starts each task after the one before has ended, even a failed one", async () => {
    const serial = new Serial();
    const order: string[] = [];
    const first = deferred<void>();
    const a = serial.run(async () => {
      order.push("a start");
      await first.promise;
      order.push("a end");
      throw new Error("a failed");
    });
    const b = serial.run(async () => {
      order.push("b");
      return "b done";
    });
    await Promise.resolve();
    first.resolve();

    await expect(a).rejects.toThrow("a failed");
    expect(await b).toBe("b done");
    expect(order).toEqual(["a start", "a end", "b"]);
  });
});

describe("renewalTime", () => {
  it("renews skew before the end of a token that lives longer than twice the skew", () => {
    expect(renewalTime(0, 3_600_000, 60_000)).toBe(3_540_000);
  });

  it("renews half-way through a token shorter than twice the skew", () => {
    expect(renewalTime(1_000, 61_000, 60_000)).toBe(31_000);
    expect(renewalTime(0, 0, 60_000)).toBe(0);
  });

  it("uses the skew alone when the token's start is unknown", () => {
    expect(renewalTime(Number.NEGATIVE_INFINITY, 3_600_000, 60_000)).toBe(3_540_000);
  });

  it("defaults the skew to 60 s and refuses a negative one", () => {
    expect(skewMsOf(undefined)).toBe(60_000);
    expect(skewMsOf(0)).toBe(0);
    expect(() => skewMsOf(-1)).toThrow(RangeError);
    expect(() => skewMsOf(Number.NaN)).toThrow(RangeError);
  });
});
