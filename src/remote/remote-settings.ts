import * as v from 'valibot';
import { ENDPOINT_PRESETS, findPreset, type PresetId } from './endpoint-presets.ts';
import { normalizeBaseUrl, originOf } from './endpoint-url.ts';
import { clampMaxImageSide, DEFAULT_MAX_IMAGE_SIDE } from './image-encoding.ts';

/** The parts of localStorage used here; tests pass a Map-backed fake. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const SETTINGS_STORAGE_KEY = 'vlmguard.remote.settings.v1';
/** Remembered keys, by endpoint origin, only while the user opts in. */
export const API_KEYS_STORAGE_KEY = 'vlmguard.remote.api-keys.v1';

const DEFAULT_PRESET = findPreset('ollama');
/** Confirmations are few (one per endpoint and model); a cap keeps a long-lived profile tidy. */
const MAX_CONFIRMED_ENDPOINTS = 50;

const isString = (value: unknown): value is string => typeof value === 'string';

/**
 * What the remote panel remembers, as stored: each field falls back to its default when missing or invalid (the
 * base URL and model to the preset's), and only these fields are read or written. There is deliberately no key
 * here: see saveApiKey.
 */
const RemoteSettingsSchema = v.pipe(
  v.object({
    presetId: v.fallback(v.picklist(ENDPOINT_PRESETS.map((preset) => preset.id)), DEFAULT_PRESET.id),
    baseUrl: v.fallback(v.optional(v.pipe(v.string(), v.check((url) => normalizeBaseUrl(url).ok))), undefined),
    model: v.fallback(v.optional(v.string()), undefined),
    maxImageSide: v.fallback(v.pipe(v.number(), v.transform(clampMaxImageSide)), DEFAULT_MAX_IMAGE_SIDE),
    sendImage: v.fallback(v.boolean(), true),
    /** The user ticked "remember the key on this device". */
    rememberKey: v.fallback(v.boolean(), false),
    /** null leaves it to the server. */
    maxTokens: v.fallback(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1))), 1024),
    temperature: v.fallback(v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(2))), null),
    /** Endpoints whose payload preview the user has confirmed, as endpointConfirmationKey values. */
    confirmedEndpoints: v.fallback(
      v.pipe(
        v.array(v.unknown()),
        v.transform((entries) => entries.filter(isString).slice(-MAX_CONFIRMED_ENDPOINTS)),
      ),
      () => [],
    ),
  }),
  v.transform(({ presetId, baseUrl, model, ...rest }) => {
    const preset = findPreset(presetId);
    return { presetId, baseUrl: baseUrl ?? preset.baseUrl, model: model ?? preset.defaultModel, ...rest };
  }),
);

export type RemoteSettings = v.InferOutput<typeof RemoteSettingsSchema>;

/** Every field at its default. */
export const DEFAULT_REMOTE_SETTINGS: RemoteSettings = v.parse(RemoteSettingsSchema, {});

/** Remembered keys by endpoint origin; an entry that is not a string is dropped, not the others. */
const RememberedKeysSchema = v.pipe(
  v.record(v.string(), v.unknown()),
  v.transform((stored) => Object.fromEntries(Object.entries(stored).filter((entry): entry is [string, string] => isString(entry[1])))),
);

/** localStorage when the browser allows it (private modes and sandboxed frames may throw), else null. */
export function browserStorage(): KeyValueStorage | null {
  try {
    const storage = globalThis.localStorage;
    if (!storage) return null;
    storage.getItem(SETTINGS_STORAGE_KEY);
    return storage;
  } catch {
    return null;
  }
}

/** Reads the settings, falling back field by field to the defaults for anything missing or invalid. */
export function loadRemoteSettings(storage: KeyValueStorage | null): RemoteSettings {
  const stored = v.safeParse(RemoteSettingsSchema, readJson(storage, SETTINGS_STORAGE_KEY));
  return stored.success ? stored.output : v.parse(RemoteSettingsSchema, {});
}

/**
 * Writes the settings, through the schema so nothing else a caller spread in (a key) can reach storage,
 * and drops every remembered key when the opt-in is off.
 */
export function saveRemoteSettings(storage: KeyValueStorage | null, settings: RemoteSettings): void {
  writeItem(storage, SETTINGS_STORAGE_KEY, JSON.stringify(v.parse(RemoteSettingsSchema, settings)));
  if (!settings.rememberKey) forgetApiKeys(storage);
}

/** The key remembered for this endpoint's origin, or '' (a key is never reused for another origin). */
export function loadRememberedApiKey(storage: KeyValueStorage | null, baseUrl: string): string {
  const origin = originOf(baseUrl);
  const keys = readKeys(storage);
  return (origin && keys[origin]) || '';
}

/**
 * Remembers `apiKey` for the endpoint's origin when the user opted in, forgets it when the field is
 * emptied, and removes every stored key when the opt-in is off.
 */
export function saveApiKey(storage: KeyValueStorage | null, settings: Pick<RemoteSettings, 'baseUrl' | 'rememberKey'>, apiKey: string): void {
  if (!settings.rememberKey) return forgetApiKeys(storage);
  const origin = originOf(settings.baseUrl);
  if (!origin) return;
  const keys = Object.fromEntries(Object.entries(readKeys(storage)).filter(([stored]) => stored !== origin));
  if (apiKey) keys[origin] = apiKey;
  if (Object.keys(keys).length === 0) removeItem(storage, API_KEYS_STORAGE_KEY);
  else writeItem(storage, API_KEYS_STORAGE_KEY, JSON.stringify(keys));
}

export function forgetApiKeys(storage: KeyValueStorage | null): void {
  removeItem(storage, API_KEYS_STORAGE_KEY);
}

/** A preset's base URL and suggested model; "custom" keeps what the user had typed. */
export function applyPreset(settings: RemoteSettings, presetId: PresetId): RemoteSettings {
  const preset = findPreset(presetId);
  if (presetId === 'custom') return { ...settings, presetId };
  return { ...settings, presetId, baseUrl: preset.baseUrl, model: preset.defaultModel };
}

/** The preset whose base URL matches, else "custom": for a base URL typed by hand. */
export function presetForBaseUrl(baseUrl: string): PresetId {
  return ENDPOINT_PRESETS.find((preset) => preset.baseUrl && preset.baseUrl === baseUrl)?.id ?? 'custom';
}

/** Where data goes and which model gets it: a new origin or model needs a new confirmation. */
export function endpointConfirmationKey(baseUrl: string, model: string): string {
  return `${originOf(baseUrl) ?? baseUrl} ${model.trim()}`;
}

export function isEndpointConfirmed(settings: RemoteSettings, baseUrl: string, model: string): boolean {
  return settings.confirmedEndpoints.includes(endpointConfirmationKey(baseUrl, model));
}

export function withEndpointConfirmed(settings: RemoteSettings, baseUrl: string, model: string): RemoteSettings {
  const key = endpointConfirmationKey(baseUrl, model);
  if (settings.confirmedEndpoints.includes(key)) return settings;
  return { ...settings, confirmedEndpoints: [...settings.confirmedEndpoints, key].slice(-MAX_CONFIRMED_ENDPOINTS) };
}

function readKeys(storage: KeyValueStorage | null): Record<string, string> {
  const stored = v.safeParse(RememberedKeysSchema, readJson(storage, API_KEYS_STORAGE_KEY));
  return stored.success ? stored.output : {};
}

function readJson(storage: KeyValueStorage | null, key: string): unknown {
  try {
    const text = storage?.getItem(key);
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

// Storage can throw (quota, disabled); settings are a convenience, so a failed write is not an error.
function writeItem(storage: KeyValueStorage | null, key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    /* not persisted */
  }
}

function removeItem(storage: KeyValueStorage | null, key: string): void {
  try {
    storage?.removeItem(key);
  } catch {
    /* nothing to remove */
  }
}
