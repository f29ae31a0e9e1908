import { useState } from 'react';

export const PRESENTER_MODE_KEY = 'vlmguard:presenter-mode';

type FlagStorage = Pick<Storage, 'getItem' | 'setItem'>;

function localStorageOrNull(): FlagStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Storage disabled by the browser's settings: the mode still works, for this visit only.
    return null;
  }
}

export function readPresenterMode(storage: FlagStorage | null): boolean {
  try {
    return storage?.getItem(PRESENTER_MODE_KEY) === 'on';
  } catch {
    return false;
  }
}

/** Remembers the mode; a storage that refuses (full, disabled) only means it is not remembered. */
export function writePresenterMode(storage: FlagStorage | null, on: boolean): void {
  try {
    storage?.setItem(PRESENTER_MODE_KEY, on ? 'on' : 'off');
  } catch {
    // Nothing the user typed is at stake: the mode applies now and is forgotten on reload.
  }
}

/** Presenter mode (large type, high contrast), remembered on this device. */
export function usePresenterMode(): readonly [boolean, (on: boolean) => void] {
  const [storage] = useState(localStorageOrNull);
  const [on, setOn] = useState(() => readPresenterMode(storage));
  const change = (next: boolean) => {
    setOn(next);
    writePresenterMode(storage, next);
  };
  return [on, change] as const;
}
