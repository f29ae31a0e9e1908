/**
 * An on/off choice remembered on this device, in localStorage as 'on' or 'off'. Storage that is disabled or refuses
 * (private mode, full) never breaks the choice: it applies now and is forgotten on reload.
 */
export type FlagStorage = Pick<Storage, 'getItem' | 'setItem'>;

export function localStorageOrNull(): FlagStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Storage disabled by the browser's settings.
    return null;
  }
}

/** The remembered choice; `fallback` for a first visit, anything unreadable, or storage that refuses. */
export function readFlag(storage: FlagStorage | null, key: string, fallback: boolean): boolean {
  try {
    const stored = storage?.getItem(key);
    return stored === 'on' ? true : stored === 'off' ? false : fallback;
  } catch {
    return fallback;
  }
}

export function writeFlag(storage: FlagStorage | null, key: string, on: boolean): void {
  try {
    storage?.setItem(key, on ? 'on' : 'off');
  } catch {
    // Not remembered; nothing the user typed is at stake.
  }
}
