import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Harness, startHarness } from "../../test/support/harness.js";
import type { TenantId } from "../core/ids.js";
import type { SigningKeyRecord } from "../core/model/index.js";
import { KEY_ROTATION_LOCK, rotateDueSigningKeys } from "../core/scheduled-key-rotation.js";
import { createTenant, OPERATIONS_SIGNING_ALGORITHM } from "../core/tenants.js";
import { type KeyRotationLog, startKeyRotationSchedule } from "./key-rotation-schedule.js";

const DAY_MS = 86_400_000;

interface Logged {
  readonly level: "debug" | "info" | "warn";
  readonly fields: Record<string, unknown>;
}

function recordingLog(): { readonly log: KeyRotationLog; readonly lines: Logged[] } {
  const lines: Logged[] = [];
  const at =
    (level: Logged["level"]) =>
    (fields: object): void => {
      lines.push({ level, fields: fields as Record<string, unknown> });
    };
  return { log: { debug: at("debug"), info: at("info"), warn: at("warn") }, lines };
}

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

async function keysOf(tenantId: TenantId): Promise<SigningKeyRecord[]> {
  return h.runtime.ctx.store.signingKeys.list(tenantId);
}

function activeKid(keys: SigningKeyRecord[], algorithm: string): string | undefined {
  return keys.find((k) => k.status === "active" && k.algorithm === algorithm)?.kid;
}

async function rotationEvents(tenantId: TenantId) {
  const events = await h.runtime.ctx.store.audit.list(tenantId, { limit: 100 });
  return events.filter((event) => event.type === "signing_key.rotated");
}

describe("the key rotation schedule, on a real store", () => {
  it("rotates a tenant's keys once they are due, and leaves by-hand and young keys alone", async () => {
    const ctx = h.runtime.ctx;
    const due = await createTenant(ctx, { id: "rot-due", signingKeyRotationDays: 1 });
    const byHand = await createTenant(ctx, { id: "rot-by-hand", signingKeyRotationDays: 0 });
    h.clock.advance(2 * DAY_MS);
    // Created after the clock moved on: its keys are young.
    const young = await createTenant(ctx, { id: "rot-young", signingKeyRotationDays: 1 });
    const before = {
      due: await keysOf(due.id),
      byHand: await keysOf(byHand.id),
      young: await keysOf(young.id),
    };

    const { log, lines } = recordingLog();
    const schedule = startKeyRotationSchedule({
      intervalMs: 5,
      rotate: (signal) => rotateDueSigningKeys(ctx, { signal }),
      log,
    });
    try {
      await vi.waitFor(
        () => {
          expect(lines.filter((l) => l.fields.event === "signing_key_rotated")).toHaveLength(2);
        },
        { timeout: 10_000, interval: 10 },
      );
    } finally {
      await schedule.stop();
    }

    const after = await keysOf(due.id);
    for (const algorithm of ["ES256", OPERATIONS_SIGNING_ALGORITHM]) {
      const oldKid = activeKid(before.due, algorithm);
      const newKid = activeKid(after, algorithm);
      expect(newKid).toBeDefined();
      expect(newKid).not.toBe(oldKid);
      // The key published as next is the one that now signs; the old one is retired.
      expect(before.due.find((k) => k.kid === newKid)?.status).toBe("next");
      expect(after.find((k) => k.kid === oldKid)?.status).toBe("retired");
    }
    const events = await rotationEvents(due.id);
    expect(events.map((e) => e.detail)).toEqual(
      expect.arrayContaining([
        { kid: activeKid(after, "ES256"), algorithm: "ES256", scheduled: true },
        { kid: activeKid(after, "RS256"), algorithm: "RS256", scheduled: true },
      ]),
    );
    expect(events).toHaveLength(2);

    expect(await keysOf(byHand.id)).toEqual(before.byHand);
    expect(await keysOf(young.id)).toEqual(before.young);
    expect(await rotationEvents(byHand.id)).toEqual([]);
    expect(await rotationEvents(young.id)).toEqual([]);
    expect(lines.filter((l) => l.level === "warn")).toEqual([]);
  });

  it("logs a tenant whose rotation fails and still rotates the others", async () => {
    const ctx = h.runtime.ctx;
    const broken = await createTenant(ctx, { id: "rot-broken", signingKeyRotationDays: 1 });
    const fine = await createTenant(ctx, { id: "rot-fine", signingKeyRotationDays: 1 });
    h.clock.advance(2 * DAY_MS);
    const before = await keysOf(fine.id);
    const keyring = new Proxy(ctx.keyring, {
      get(target, property) {
        if (property === "rotate") {
          return async (tenantId: TenantId, algorithm: SigningKeyRecord["algorithm"]) => {
            if (tenantId === broken.id) {
              throw new Error("no entropy today");
            }
            return target.rotate(tenantId, algorithm);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });

    const { log, lines } = recordingLog();
    const schedule = startKeyRotationSchedule({
      intervalMs: 5,
      rotate: (signal) => rotateDueSigningKeys({ ...ctx, keyring }, { signal }),
      log,
    });
    try {
      await vi.waitFor(
        () => {
          expect(lines.some((l) => l.fields.event === "key_rotation_failed")).toBe(true);
        },
        { timeout: 10_000, interval: 10 },
      );
    } finally {
      await schedule.stop();
    }

    expect(lines.find((l) => l.fields.event === "key_rotation_failed")).toMatchObject({
      level: "warn",
      fields: { tenantId: broken.id },
    });
    expect(activeKid(await keysOf(fine.id), "ES256")).not.toBe(activeKid(before, "ES256"));
    expect(await rotationEvents(broken.id)).toEqual([]);
  });

  it("does nothing while another instance holds the lock", async () => {
    const ctx = h.runtime.ctx;
    const tenant = await createTenant(ctx, { id: "rot-locked", signingKeyRotationDays: 1 });
    h.clock.advance(2 * DAY_MS);
    const before = await keysOf(tenant.id);

    const held = await ctx.store.maintenance.tryLock(KEY_ROTATION_LOCK, () =>
      rotateDueSigningKeys(ctx),
    );

    expect(held).toEqual({ acquired: true, result: { ran: false } });
    expect(await keysOf(tenant.id)).toEqual(before);
  });
});
