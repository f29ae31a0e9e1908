import { useState } from 'react';
import { localStorageOrNull, readFlag, writeFlag, type FlagStorage } from './device-flag.ts';

export const PRESENTER_MODE_KEY = 'vlmguard:presenter-mode';

export function readPresenterMode(storage: FlagStorage | null): boolean {
  return readFlag(storage, PRESENTER_MODE_KEY, false);
}

export function writePresenterMode(storage: FlagStorage | null, on: boolean): void {
  writeFlag(storage, PRESENTER_MODE_KEY, on);
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
