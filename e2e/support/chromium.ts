import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The system Chromium: $CHROMIUM_PATH, else the usual install paths. Playwright downloads no browser here. */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist.`);
    return fromEnv;
  }
  const found = CANDIDATES.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new Error(
      `No Chromium found (looked in ${CANDIDATES.join(', ')}). Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  return found;
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
