import { describe, expect, it } from 'vitest';
import {
  API_KEYS_STORAGE_KEY,
  applyPreset,
  DEFAULT_REMOTE_SETTINGS,
  endpointConfirmationKey,
  isEndpointConfirmed,
  loadRememberedApiKey,
  loadRemoteSettings,
  presetForBaseUrl,
  saveApiKey,
  saveRemoteSettings,
  SETTINGS_STORAGE_KEY,
  withEndpointConfirmed,
  type KeyValueStorage,
  type RemoteSettings,
} from '../../src/remote/remote-settings.ts';

const KEY = 'sk-or-v1-SECRET-0123456789abcdef';

/** localStorage's contract over a Map; `dump` is everything stored, for scanning. */
class FakeStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  dump(): string {
    return JSON.stringify([...this.items]);
  }
}

const openRouter: RemoteSettings = {
  ...applyPreset(DEFAULT_REMOTE_SETTINGS, 'openrouter'),
  maxImageSide: 768,
  sendImage: false,
  maxTokens: 300,
  temperature: 0.2,
};

describe('remote settings', () => {
  it('defaults to a local Ollama, image on, key not remembered', () => {
    const settings = loadRemoteSettings(new FakeStorage());
    expect(settings).toEqual(DEFAULT_REMOTE_SETTINGS);
    expect(settings).toMatchObject({ presetId: 'ollama', baseUrl: 'http://localhost:11434/v1', sendImage: true, rememberKey: false });
  });

  it('round-trips through storage', () => {
    const storage = new FakeStorage();
    const confirmed = withEndpointConfirmed(openRouter, openRouter.baseUrl, openRouter.model);
    saveRemoteSettings(storage, confirmed);
    expect(loadRemoteSettings(storage)).toEqual(confirmed);
  });

  it('survives corrupt or hostile stored values field by field', () => {
    const storage = new FakeStorage();
    storage.setItem(SETTINGS_STORAGE_KEY, '{not json');
    expect(loadRemoteSettings(storage)).toEqual(DEFAULT_REMOTE_SETTINGS);
    storage.setItem(
      SETTINGS_STORAGE_KEY,
      JSON.stringify({ presetId: 'evil', baseUrl: 'javascript:alert(1)', maxImageSide: 1e9, sendImage: 'yes', maxTokens: -5, temperature: 9, confirmedEndpoints: [1, 'x'] }),
    );
    const settings = loadRemoteSettings(storage);
    expect(settings).toMatchObject({ presetId: 'ollama', baseUrl: 'http://localhost:11434/v1', maxImageSide: 4096, sendImage: true, maxTokens: 1024, temperature: null, confirmedEndpoints: ['x'] });
  });

  it('reads stored values that are not an object as the defaults, and never shares their list', () => {
    const storage = new FakeStorage();
    for (const stored of ['5', '"settings"', 'null', '[]']) {
      storage.setItem(SETTINGS_STORAGE_KEY, stored);
      expect(loadRemoteSettings(storage)).toEqual(DEFAULT_REMOTE_SETTINGS);
    }
    loadRemoteSettings(storage).confirmedEndpoints.push('x');
    expect(loadRemoteSettings(storage).confirmedEndpoints).toEqual([]);
    expect(DEFAULT_REMOTE_SETTINGS.confirmedEndpoints).toEqual([]);
  });

  it('falls back to the stored preset’s base URL and model', () => {
    const storage = new FakeStorage();
    storage.setItem(SETTINGS_STORAGE_KEY, JSON.stringify({ presetId: 'lm-studio', baseUrl: 'not a url', model: 7 }));
    expect(loadRemoteSettings(storage)).toMatchObject({ presetId: 'lm-studio', baseUrl: 'http://localhost:1234/v1', model: 'google/gemma-3-4b' });
  });

  it('works without storage (private mode)', () => {
    saveRemoteSettings(null, openRouter);
    saveApiKey(null, { ...openRouter, rememberKey: true }, KEY);
    expect(loadRemoteSettings(null)).toEqual(DEFAULT_REMOTE_SETTINGS);
    expect(loadRememberedApiKey(null, openRouter.baseUrl)).toBe('');
  });
});

describe('the API key in storage', () => {
  it('is never written with the settings, even if a caller spreads it in', () => {
    const storage = new FakeStorage();
    const withKey = { ...openRouter, rememberKey: true, apiKey: KEY } as RemoteSettings;
    saveRemoteSettings(storage, withKey);
    expect(storage.getItem(SETTINGS_STORAGE_KEY)).not.toContain(KEY);
    expect(storage.dump()).not.toContain(KEY);
  });

  it('is not stored without the opt-in', () => {
    const storage = new FakeStorage();
    saveRemoteSettings(storage, openRouter);
    saveApiKey(storage, openRouter, KEY);
    expect(storage.dump()).not.toContain(KEY);
    expect(storage.getItem(API_KEYS_STORAGE_KEY)).toBeNull();
  });

  it('is stored with the opt-in, for its endpoint origin only', () => {
    const storage = new FakeStorage();
    const remembering = { ...openRouter, rememberKey: true };
    saveRemoteSettings(storage, remembering);
    saveApiKey(storage, remembering, KEY);
    expect(storage.getItem(SETTINGS_STORAGE_KEY)).not.toContain(KEY);
    expect(loadRememberedApiKey(storage, 'https://openrouter.ai/api/v1')).toBe(KEY);
    // A key typed for one provider is never offered to another.
    expect(loadRememberedApiKey(storage, 'https://api.openai.com/v1')).toBe('');
    expect(loadRememberedApiKey(storage, 'https://evil.example/v1')).toBe('');
  });

  it('is removed when the opt-in is removed, for every endpoint', () => {
    const storage = new FakeStorage();
    const remembering = { ...openRouter, rememberKey: true };
    saveApiKey(storage, remembering, KEY);
    saveApiKey(storage, { baseUrl: 'https://api.openai.com/v1', rememberKey: true }, 'sk-other-0123456789');
    expect(storage.dump()).toContain(KEY);

    saveRemoteSettings(storage, { ...remembering, rememberKey: false });
    expect(storage.dump()).not.toContain(KEY);
    expect(storage.dump()).not.toContain('sk-other');
    expect(storage.getItem(API_KEYS_STORAGE_KEY)).toBeNull();
  });

  it('survives a corrupt entry among the remembered keys', () => {
    const storage = new FakeStorage();
    storage.setItem(API_KEYS_STORAGE_KEY, JSON.stringify({ 'https://openrouter.ai': KEY, 'https://api.openai.com': 42 }));
    expect(loadRememberedApiKey(storage, 'https://openrouter.ai/api/v1')).toBe(KEY);
    expect(loadRememberedApiKey(storage, 'https://api.openai.com/v1')).toBe('');
    storage.setItem(API_KEYS_STORAGE_KEY, '"sk-not-a-map"');
    expect(loadRememberedApiKey(storage, 'https://openrouter.ai/api/v1')).toBe('');
  });

  it('is removed when the field is emptied', () => {
    const storage = new FakeStorage();
    const remembering = { ...openRouter, rememberKey: true };
    saveApiKey(storage, remembering, KEY);
    saveApiKey(storage, remembering, '');
    expect(storage.dump()).not.toContain(KEY);
  });
});

describe('presets and confirmations', () => {
  it('applying a preset sets its base URL and suggested model; custom keeps what was typed', () => {
    const lmStudio = applyPreset(DEFAULT_REMOTE_SETTINGS, 'lm-studio');
    expect(lmStudio).toMatchObject({ presetId: 'lm-studio', baseUrl: 'http://localhost:1234/v1', model: 'google/gemma-3-4b' });
    expect(applyPreset(lmStudio, 'custom')).toMatchObject({ presetId: 'custom', baseUrl: 'http://localhost:1234/v1' });
    expect(presetForBaseUrl('http://localhost:8000/v1')).toBe('vllm');
    expect(presetForBaseUrl('http://127.0.0.1:9999/v1')).toBe('custom');
  });

  it('a confirmation holds for one origin and one model', () => {
    const settings = withEndpointConfirmed(DEFAULT_REMOTE_SETTINGS, 'http://localhost:11434/v1', 'gemma3:4b');
    expect(endpointConfirmationKey('http://localhost:11434/v1', ' gemma3:4b ')).toBe('http://localhost:11434 gemma3:4b');
    expect(isEndpointConfirmed(settings, 'http://localhost:11434/v1', 'gemma3:4b')).toBe(true);
    expect(isEndpointConfirmed(settings, 'http://localhost:11434/v1', 'llava')).toBe(false);
    expect(isEndpointConfirmed(settings, 'http://localhost:1234/v1', 'gemma3:4b')).toBe(false);
    expect(withEndpointConfirmed(settings, 'http://localhost:11434/v1', 'gemma3:4b')).toBe(settings);
  });
});
