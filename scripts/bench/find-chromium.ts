import { existsSync } from 'node:fs';

/**
 * The system Chromium, found like the end-to-end tests find it (e2e/support/chromium.ts, which the Node tsconfig does
 * not compile): $CHROMIUM_PATH, else the usual install paths; null when there is none.
 */
export function findChromium(): string | null {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
  return candidates.find((candidate) => existsSync(candidate)) ?? null;
}

/** Keeps the browser from calling home, as in the end-to-end tests. */
export const QUIET_CHROMIUM_ARGS = [
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--disable-domain-reliability',
];
