import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // The quick run starts servers and drives load: give it the machine.
    maxWorkers: 1,
    testTimeout: 600_000,
  },
});
