/**
 * A choice remembered on this device, in localStorage: on/off flags as 'on' or 'off', other choices by name. Storage
 * that is disabled or refuses (private mode, full) never breaks the choice: it applies now and is forgotten on reload.
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
  const stored = readChoice(storage, key, ['on', 'off'], fallback ? 'on' : 'off');
  return stored === 'on';
}

export function writeFlag(storage: FlagStorage | null, key: string, on: boolean): void {
  writeChoice(storage, key, on ? 'on' : 'off');
}

/** The remembered one of `choices`; `fallback` for a first visit, anything else stored, or storage that refuses. */
export function readChoice<T extends string>(storage: FlagStorage | null, key: string, choices: readonly T[], fallback: T): T {
  try {
    const stored = storage?.getItem(key);
    return choices.find((choice) => choice === stored) ?? fallback;
  } catch {
    return fallback;
  }
}

export function writeChoice(storage: FlagStorage | null, key: string, choice: string): void {
  try {
    storage?.setItem(key, choice);
  } catch {
    // Not remembered; nothing the user typed is at stake.
  }
}
