import { describe, expect, it } from 'vitest';
import { READ_IMAGE_TEXT_KEY, readImageTextSetting, writeImageTextSetting } from '../../src/app/use-rewrite-settings.ts';
import { mapStorage, refusing } from '../support/flag-storage.ts';

describe('reading the text in the image (OCR), remembered on this device', () => {
  it('is on for a first visit, and comes back as it was left', () => {
    const storage = mapStorage();
    expect(readImageTextSetting(storage)).toBe(true);
    writeImageTextSetting(storage, false);
    expect(storage.items.get(READ_IMAGE_TEXT_KEY)).toBe('off');
    expect(readImageTextSetting(storage)).toBe(false);
    writeImageTextSetting(storage, true);
    expect(storage.items.get(READ_IMAGE_TEXT_KEY)).toBe('on');
    expect(readImageTextSetting(storage)).toBe(true);
    expect([...storage.items.keys()]).toEqual(['vlmguard.readImageText']);
  });

  it('turns off only for "off": anything else stored reads as the default, on', () => {
    const storage = mapStorage();
    for (const value of ['on', 'true', 'false', '', 'OFF']) {
      storage.items.set(READ_IMAGE_TEXT_KEY, value);
      expect(readImageTextSetting(storage), value).toBe(true);
    }
  });

  it('works without storage, or with one that refuses: on, and nothing thrown', () => {
    expect(readImageTextSetting(null)).toBe(true);
    expect(() => writeImageTextSetting(null, false)).not.toThrow();
    expect(readImageTextSetting(refusing)).toBe(true);
    expect(() => writeImageTextSetting(refusing, false)).not.toThrow();
  });
});
