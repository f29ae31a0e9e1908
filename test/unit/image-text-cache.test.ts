import { describe, expect, it } from 'vitest';
import { deleteImageTextCache, isImageTextFileUrl, readImageTextCache, type CacheStore } from '../../src/app/image-text-cache.ts';
import { OCR_CACHE_NAME, OCR_FILE_ROLES, OCR_MODEL, OCR_TOTAL_BYTES } from '../../src/core/ocr-model.ts';

const SITE = 'https://app.example/';
const url = (name: string) => `${SITE}ocr/${OCR_MODEL.id}/${name}`;
const ALL_FILES = OCR_FILE_ROLES.map((role) => ({ url: url(OCR_MODEL.files[role].name), bytes: OCR_MODEL.files[role].bytes }));

/** Cache Storage as the worker leaves it: responses with a content-length header, keyed by URL. */
function fakeCaches(contents: Record<string, Array<{ url: string; bytes: number | null }>>): CacheStore & { entries: typeof contents } {
  const entries = structuredClone(contents);
  return {
    entries,
    has: async (name) => name in entries,
    open: async (name) => {
      const list = (entries[name] ??= []);
      return {
        keys: async () => list.map((entry) => new Request(entry.url)),
        match: async (request: RequestInfo | URL) => {
          const found = list.find((entry) => entry.url === (request instanceof Request ? request.url : String(request)));
          if (!found) return undefined;
          return new Response('', { headers: found.bytes === null ? {} : { 'content-length': String(found.bytes) } });
        },
        delete: async (request: RequestInfo | URL) => {
          const at = list.findIndex((entry) => entry.url === (request instanceof Request ? request.url : String(request)));
          if (at < 0) return false;
          list.splice(at, 1);
          return true;
        },
      } as unknown as Cache;
    },
  };
}

describe('the OCR files in Cache Storage, for the model manager', () => {
  it('reads nothing cached when the cache does not exist, or Cache Storage is missing', async () => {
    expect(await readImageTextCache(fakeCaches({}))).toEqual({ files: 0, bytes: 0, complete: false });
    expect(await readImageTextCache(null)).toEqual({ files: 0, bytes: 0, complete: false });
  });

  it('sums the content-length of every file, and is complete with all three', async () => {
    const summary = await readImageTextCache(fakeCaches({ [OCR_CACHE_NAME]: ALL_FILES }));
    expect(summary).toEqual({ files: 3, bytes: OCR_TOTAL_BYTES, complete: true });
  });

  it('is incomplete while a file is missing, and counts a missing length as 0', async () => {
    const [detection, recognition] = ALL_FILES;
    const summary = await readImageTextCache(fakeCaches({ [OCR_CACHE_NAME]: [detection!, { url: recognition!.url, bytes: null }] }));
    expect(summary).toEqual({ files: 2, bytes: detection!.bytes, complete: false });
  });

  it('counts only this model\'s files: not another model id, not other files in the cache', async () => {
    const others = [
      { url: `${SITE}ocr/pp-ocrv3/${OCR_MODEL.files.detection.name}`, bytes: 5 },
      { url: `${SITE}ocr/${OCR_MODEL.id}/notes.txt`, bytes: 7 },
    ];
    const summary = await readImageTextCache(fakeCaches({ [OCR_CACHE_NAME]: [...ALL_FILES, ...others] }));
    expect(summary).toEqual({ files: 3, bytes: OCR_TOTAL_BYTES, complete: true });
  });

  it('holds for a site served under a sub-path', () => {
    expect(isImageTextFileUrl(`https://host.example/vlmguard/ocr/${OCR_MODEL.id}/${OCR_MODEL.files.dictionary.name}`)).toBe(true);
    expect(isImageTextFileUrl(`https://host.example/models/${OCR_MODEL.files.dictionary.name}`)).toBe(false);
  });

  it('Delete removes the OCR files and leaves anything else in the cache', async () => {
    const other = { url: `${SITE}ocr/pp-ocrv3/${OCR_MODEL.files.detection.name}`, bytes: 5 };
    const caches = fakeCaches({ [OCR_CACHE_NAME]: [...ALL_FILES, other] });
    expect(await deleteImageTextCache(caches)).toBe(3);
    expect(caches.entries[OCR_CACHE_NAME]).toEqual([other]);
    expect(await readImageTextCache(caches)).toEqual({ files: 0, bytes: 0, complete: false });
    expect(await deleteImageTextCache(fakeCaches({}))).toBe(0);
  });
});
