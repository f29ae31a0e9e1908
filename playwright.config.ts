import { defineConfig } from '@playwright/test';
import { createServer } from 'node:net';
import { QUIET_CHROMIUM_ARGS, requireChromium } from './scripts/lib/chromium.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

// Chosen once in the runner process; workers inherit it through the environment.
process.env.E2E_PORT ??= String(await freePort());
const baseURL = `http://127.0.0.1:${process.env.E2E_PORT}`;
const executablePath = requireChromium();

// OCR adds seconds to every rewrite: specs run with it off, as a visitor who turned it off in Settings would;
// e2e/ocr.spec.ts (and the screenshot of the text found) turn it back on.
const OCR_OFF = {
  cookies: [],
  origins: [{ origin: baseURL, localStorage: [{ name: 'vlmguard.readImageText', value: 'off' }] }],
};

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  // Two cores: one browser at a time keeps WebGPU-on-SwiftShader from starving the WASM run.
  workers: 1,
  retries: 0,
  reporter: [['list'], ['./e2e/support/fault-table-reporter.ts']],
  // An action that waits for something that never comes (a button already gone) fails at that step, not at the test's timeout.
  use: { baseURL, trace: 'retain-on-failure', storageState: OCR_OFF, actionTimeout: 60_000 },
  projects: [
    {
      name: 'wasm',
      use: { launchOptions: { executablePath, args: QUIET_CHROMIUM_ARGS } },
    },
    {
      // SwiftShader: a software WebGPU adapter without shader-f16. Correct, slow; for plumbing only.
      name: 'webgpu',
      // The backend plumbing only; the interface tests gain nothing from a second, slower backend.
      testMatch: ['rewrite.spec.ts', 'worker-lifecycle.spec.ts', 'model-families.spec.ts'],
      timeout: 420_000,
      use: { launchOptions: { executablePath, args: [...QUIET_CHROMIUM_ARGS, '--enable-unsafe-webgpu'] } },
    },
  ],
  webServer: {
    // E2E_OUT_DIR serves another build folder, so two checkouts' runs on one machine cannot swap each other's builds.
    command: `npx vite preview --port ${process.env.E2E_PORT} --strictPort --outDir ${process.env.E2E_OUT_DIR ?? 'dist'}`,
    url: baseURL,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
