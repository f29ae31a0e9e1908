import { describe, expect, it } from 'vitest';
import { PRESENTER_MODE_KEY, readPresenterMode, writePresenterMode } from '../../src/app/use-presenter-mode.ts';
import { mapStorage, refusing } from '../support/flag-storage.ts';

describe('presenter mode, remembered on this device', () => {
  it('is off on a first visit and comes back as it was left', () => {
    const storage = mapStorage();
    expect(readPresenterMode(storage)).toBe(false);
    writePresenterMode(storage, true);
    expect(readPresenterMode(storage)).toBe(true);
    writePresenterMode(storage, false);
    expect(readPresenterMode(storage)).toBe(false);
    expect([...storage.items.keys()]).toEqual([PRESENTER_MODE_KEY]);
  });

  it('reads anything but "on" as off', () => {
    const storage = mapStorage();
    storage.items.set(PRESENTER_MODE_KEY, 'true');
    expect(readPresenterMode(storage)).toBe(false);
  });

  it('works without storage, or with one that refuses, and only forgets', () => {
    expect(readPresenterMode(null)).toBe(false);
    expect(() => writePresenterMode(null, true)).not.toThrow();
    expect(readPresenterMode(refusing)).toBe(false);
    expect(() => writePresenterMode(refusing, true)).not.toThrow();
  });
});
