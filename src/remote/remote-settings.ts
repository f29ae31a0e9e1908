import { ENDPOINT_PRESETS, findPreset, isPresetId, type PresetId } from './endpoint-presets.ts';
import { normalizeBaseUrl, originOf } from './endpoint-url.ts';
import { clampMaxImageSide, DEFAULT_MAX_IMAGE_SIDE } from './image-encoding.ts';

/** What the remote panel remembers. There is deliberately no key here: see saveApiKey. */
export interface RemoteSettings {
  presetId: PresetId;
  baseUrl: string;
  model: string;
  maxImageSide: number;
  sendImage: boolean;
  /** The user ticked "remember the key on this device". */
  rememberKey: boolean;
  /** null leaves it to the server. */
  maxTokens: number | null;
  temperature: number | null;
  /** Endpoints whose payload preview the user has confirmed, as endpointConfirmationKey values. */
  confirmedEndpoints: string[];
}

/** The parts of localStorage used here; tests pass a Map-backed fake. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const SETTINGS_STORAGE_KEY = 'vlmguard.remote.settings.v1';
/** Remembered keys, by endpoint origin, only while the user opts in. */
export const API_KEYS_STORAGE_KEY = 'vlmguard.remote.api-keys.v1';

const DEFAULT_PRESET = findPreset('ollama');
/** Confirmations are few (one per endpoint and model); a cap keeps a long-lived profile tidy. */
const MAX_CONFIRMED_ENDPOINTS = 50;

export const DEFAULT_REMOTE_SETTINGS: RemoteSettings = {
  presetId: DEFAULT_PRESET.id,
  baseUrl: DEFAULT_PRESET.baseUrl,
  model: DEFAULT_PRESET.defaultModel,
  maxImageSide: DEFAULT_MAX_IMAGE_SIDE,
  sendImage: true,
  rememberKey: false,
  maxTokens: 1024,
  temperature: null,
  confirmedEndpoints: [],
};

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
  const stored = readJson(storage, SETTINGS_STORAGE_KEY);
  if (!stored || typeof stored !== 'object') return { ...DEFAULT_REMOTE_SETTINGS, confirmedEndpoints: [] };
  const value = stored as Record<string, unknown>;
  const presetId = isPresetId(value.presetId) ? value.presetId : DEFAULT_REMOTE_SETTINGS.presetId;
  const baseUrl = typeof value.baseUrl === 'string' && normalizeBaseUrl(value.baseUrl).ok ? value.baseUrl : findPreset(presetId).baseUrl;
  return {
    presetId,
    baseUrl,
    model: typeof value.model === 'string' ? value.model : findPreset(presetId).defaultModel,
    maxImageSide: typeof value.maxImageSide === 'number' ? clampMaxImageSide(value.maxImageSide) : DEFAULT_REMOTE_SETTINGS.maxImageSide,
    sendImage: typeof value.sendImage === 'boolean' ? value.sendImage : DEFAULT_REMOTE_SETTINGS.sendImage,
    rememberKey: value.rememberKey === true,
    maxTokens: isPositiveInteger(value.maxTokens) ? value.maxTokens : value.maxTokens === null ? null : DEFAULT_REMOTE_SETTINGS.maxTokens,
    temperature: typeof value.temperature === 'number' && value.temperature >= 0 && value.temperature <= 2 ? value.temperature : null,
    confirmedEndpoints: Array.isArray(value.confirmedEndpoints)
      ? value.confirmedEndpoints.filter((entry): entry is string => typeof entry === 'string').slice(-MAX_CONFIRMED_ENDPOINTS)
      : [],
  };
}

/**
 * Writes the settings, field by field so nothing else a caller spread in (a key) can reach storage,
 * and drops every remembered key when the opt-in is off.
 */
export function saveRemoteSettings(storage: KeyValueStorage | null, settings: RemoteSettings): void {
  const persisted: RemoteSettings = {
    presetId: settings.presetId,
    baseUrl: settings.baseUrl,
    model: settings.model,
    maxImageSide: settings.maxImageSide,
    sendImage: settings.sendImage,
    rememberKey: settings.rememberKey,
    maxTokens: settings.maxTokens,
    temperature: settings.temperature,
    confirmedEndpoints: settings.confirmedEndpoints.slice(-MAX_CONFIRMED_ENDPOINTS),
  };
  writeItem(storage, SETTINGS_STORAGE_KEY, JSON.stringify(persisted));
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
  const stored = readJson(storage, API_KEYS_STORAGE_KEY);
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return {};
  return Object.fromEntries(Object.entries(stored).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
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

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
