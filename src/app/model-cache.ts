import {
  isModelFileUrl,
  MODEL_CACHE_NAME,
  summarizeCachedFiles,
  type CachedModelSummary,
} from '../core/model-cache-keys.ts';

/** What the browser holds of each model, read from Cache Storage without touching the network. */
export async function readModelCache(modelIds: readonly string[]): Promise<Record<string, CachedModelSummary>> {
  const entries = await listCacheEntries();
  return Object.fromEntries(
    modelIds.map((id) => [id, summarizeCachedFiles(entries.filter((entry) => isModelFileUrl(entry.url, id)))]),
  );
}

/** Removes every cached file of a model; returns how many were removed. */
export async function deleteModelFromCache(modelId: string): Promise<number> {
  if (!('caches' in self)) return 0;
  const cache = await caches.open(MODEL_CACHE_NAME);
  const requests = (await cache.keys()).filter((request) => isModelFileUrl(request.url, modelId));
  const deleted = await Promise.all(requests.map((request) => cache.delete(request)));
  return deleted.filter(Boolean).length;
}

async function listCacheEntries(): Promise<Array<{ url: string; bytes: number }>> {
  if (!('caches' in self) || !(await caches.has(MODEL_CACHE_NAME))) return [];
  const cache = await caches.open(MODEL_CACHE_NAME);
  const requests = await cache.keys();
  return Promise.all(
    requests.map(async (request) => {
      const response = await cache.match(request);
      return { url: request.url, bytes: Number(response?.headers.get('content-length') ?? 0) };
    }),
  );
}

export interface StorageStatus {
  usedBytes: number | null;
  quotaBytes: number | null;
  persisted: boolean | null;
}

export async function readStorageStatus(): Promise<StorageStatus> {
  const storage = navigator.storage as StorageManager | undefined;
  const [estimate, persisted] = await Promise.all([
    storage?.estimate?.().catch(() => null) ?? null,
    storage?.persisted?.().catch(() => null) ?? null,
  ]);
  return { usedBytes: estimate?.usage ?? null, quotaBytes: estimate?.quota ?? null, persisted };
}

/** Asks the browser not to evict the cached models under storage pressure. */
export async function requestPersistentStorage(): Promise<boolean> {
  return (await navigator.storage?.persist?.().catch(() => false)) ?? false;
}
