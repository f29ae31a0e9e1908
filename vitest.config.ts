import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // onnxruntime-node is a native addon; separate processes keep its sessions isolated.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
