import { afterEach, describe, expect, it, vi } from 'vitest';
import { OCR_CACHE_NAME, OCR_MODEL, OCR_TOTAL_BYTES } from '../../src/core/ocr-model.ts';
import { fetchOcrFiles } from '../../src/engine/ocr-files.ts';

const BASE = 'https://app.example/ocr/pp-ocrv4/';

/** Cache Storage as the browser gives it: one named cache of URL → Response. */
function installCacheStorage() {
  const stored = new Map<string, Response>();
  const opened: string[] = [];
  vi.stubGlobal('caches', {
    open: async (name: string) => {
      opened.push(name);
      return {
        match: async (url: string) => stored.get(url)?.clone(),
        put: async (url: string, response: Response) => void stored.set(url, response),
        delete: async (url: string) => stored.delete(url),
      };
    },
  });
  return { stored, opened };
}

/** The site's files at their true sizes, or `cut` bytes short for the file named. */
function serveFiles(options: { cut?: { name: string; bytes: number } } = {}) {
  const requested: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    requested.push(url);
    const file = Object.values(OCR_MODEL.files).find((entry) => url.endsWith(entry.name));
    if (!file) return new Response('not found', { status: 404 });
    const size = options.cut?.name === file.name ? file.bytes - options.cut.bytes : file.bytes;
    return new Response(new Uint8Array(size).fill(65));
  });
  return requested;
}

afterEach(() => vi.unstubAllGlobals());

describe('fetchOcrFiles', () => {
  it('downloads the three files with progress up to their total, keeps them, and reads them from the cache next time', async () => {
    const { stored, opened } = installCacheStorage();
    const requested = serveFiles();
    const progress: number[] = [];
    const files = await fetchOcrFiles(BASE, ({ loaded, total }) => {
      expect(total).toBe(OCR_TOTAL_BYTES);
      progress.push(loaded);
    });
    expect(files.detection.byteLength).toBe(OCR_MODEL.files.detection.bytes);
    expect(files.recognition.byteLength).toBe(OCR_MODEL.files.recognition.bytes);
    expect(files.dictionary.length).toBe(OCR_MODEL.files.dictionary.bytes);
    expect(progress.at(-1)).toBe(OCR_TOTAL_BYTES);
    expect(opened).toContain(OCR_CACHE_NAME);
    expect(stored.size).toBe(3);

    requested.length = 0;
    await fetchOcrFiles(BASE, () => undefined);
    expect(requested).toEqual([]);
  });

  it('refuses a file that arrives cut short, and does not keep it', async () => {
    const { stored } = installCacheStorage();
    serveFiles({ cut: { name: OCR_MODEL.files.recognition.name, bytes: 1000 } });
    await expect(fetchOcrFiles(BASE, () => undefined)).rejects.toThrow(
      `The OCR file ${OCR_MODEL.files.recognition.name} arrived incomplete (10,821,323 of 10,822,323 bytes).`,
    );
    expect([...stored.keys()].some((url) => url.endsWith(OCR_MODEL.files.recognition.name))).toBe(false);
  });

  it('downloads again over a kept file of the wrong size', async () => {
    const { stored } = installCacheStorage();
    stored.set(new URL(OCR_MODEL.files.detection.name, BASE).href, new Response(new Uint8Array(10)));
    const requested = serveFiles();
    const files = await fetchOcrFiles(BASE, () => undefined);
    expect(files.detection.byteLength).toBe(OCR_MODEL.files.detection.bytes);
    expect(requested).toContain(new URL(OCR_MODEL.files.detection.name, BASE).href);
  });

  it('still reads OCR when Cache Storage cannot be opened (private mode) or written (storage full)', async () => {
    vi.stubGlobal('caches', {
      open: async () => ({
        match: async () => undefined,
        put: async () => {
          throw new DOMException('Quota exceeded', 'QuotaExceededError');
        },
        delete: async () => false,
      }),
    });
    serveFiles();
    await expect(fetchOcrFiles(BASE, () => undefined)).resolves.toMatchObject({ dictionary: expect.any(String) });
    vi.stubGlobal('caches', { open: async () => Promise.reject(new Error('SecurityError')) });
    await expect(fetchOcrFiles(BASE, () => undefined)).resolves.toMatchObject({ dictionary: expect.any(String) });
  });
});
