import { randomBytes } from "node:crypto";
import { dropAllTestSchemas } from "./services.js";

/**
 * Vitest global setup: names this run, so the PostgreSQL schemas its tests
 * make carry the name and are dropped together when the run ends, never
 * during it (workers inherit the variable).
 */
export async function setup(): Promise<void> {
  process.env.TESSERA_TEST_RUN = randomBytes(4).toString("hex");
}

export async function teardown(): Promise<void> {
  await dropAllTestSchemas();
}
