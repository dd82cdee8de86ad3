import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Each file starts its own sandbox/moto on free ports; two cores keep this modest.
    maxWorkers: 2,
    setupFiles: ["test/setup/reflect.ts"],
  },
});
