import { env } from '@huggingface/transformers';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_CACHE_NAME } from '../../src/core/model-cache-keys.ts';
import { beginDownloads, cancelDownloads, forgetCancelledDownloads } from '../../src/engine/transformers-environment.ts';
import { startHubMirror, type HubMirror } from '../../scripts/hub-mirror-server.ts';

/** Cache Storage as the browser keeps it: the one store the worker's cleanup may touch. */
class MemoryCacheStorage {
  readonly caches = new Map<string, Map<string, string>>();
  async open(name: string) {
    const entries = this.caches.get(name) ?? new Map<string, string>();
    this.caches.set(name, entries);
    return {
      put: async (url: string, body: string) => void entries.set(url, body),
      delete: async (url: string) => entries.delete(url),
      keys: async () => [...entries.keys()],
    };
  }
}

let mirror: HubMirror;
const storage = new MemoryCacheStorage();
const file = (name: string) => `${mirror.url}test/tiny-smolvlm/resolve/main/${name}`;
const fetchFile = (url: string) => (env.fetch as (input: string) => Promise<Response>)(url);

beforeAll(async () => {
  mirror = await startHubMirror({ root: fileURLToPath(new URL('../../models/', import.meta.url)) });
  (globalThis as { caches?: unknown }).caches = storage;
});
afterAll(async () => {
  delete (globalThis as { caches?: unknown }).caches;
  await mirror.close();
});
afterEach(() => beginDownloads());

describe('cancelling a model download', () => {
  it('removes what the cancelled load downloaded and keeps every file cached before it', async () => {
    const cache = await storage.open(MODEL_CACHE_NAME);
    // A complete variant of the same model, cached by an earlier load.
    const earlier = file('onnx/decoder_model_merged_q4.onnx');
    await cache.put(earlier, 'q4');

    beginDownloads();
    for (const name of ['config.json', 'onnx/decoder_model_merged.onnx']) {
      const response = await fetchFile(file(name));
      await cache.put(file(name), await response.text());
    }
    cancelDownloads();
    expect(await forgetCancelledDownloads()).toBe(2);
    expect(await cache.keys()).toEqual([earlier]);
  });

  it('lets nothing more be fetched until the next load begins: no WASM retry, no hub fallback', async () => {
    beginDownloads();
    cancelDownloads();
    const before = mirror.requests.length;
    await expect(fetchFile(file('config.json'))).rejects.toMatchObject({ name: 'AbortError' });
    expect(mirror.requests.length).toBe(before);

    beginDownloads();
    await expect(fetchFile(file('config.json'))).resolves.toMatchObject({ ok: true });
  });
});
