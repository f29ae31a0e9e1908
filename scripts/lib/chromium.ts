import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The system Chromium: $CHROMIUM_PATH, else the usual install paths; null when there is none. Playwright downloads no browser here. */
export function locateChromium(): string | null {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
}

/** Like locateChromium, for callers that cannot go on without one: the error says how to get it. */
export function requireChromium(): string {
  const found = locateChromium();
  if (found) return found;
  const fromEnv = process.env['CHROMIUM_PATH'];
  throw new Error(
    fromEnv
      ? `CHROMIUM_PATH=${fromEnv} does not exist.`
      : `No Chromium found (looked in ${CANDIDATES.join(', ')}). Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.`,
  );
}

/** Keeps the browser from calling home: this machine (and CI) has no network beyond 127.0.0.1. */
export const QUIET_CHROMIUM_ARGS = [
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--disable-domain-reliability',
];
