import { OCR_CACHE_NAME, OCR_FILE_ROLES, OCR_MODEL, OCR_URL_PATH } from '../core/ocr-model.ts';

/** What Cache Storage holds of the OCR files. */
export interface CachedImageTextSummary {
  files: number;
  bytes: number;
  /** Every file OCR needs is there: the next load reads nothing from the network. */
  complete: boolean;
}

/** The part of CacheStorage this file uses, so tests can pass a fake one. */
export interface CacheStore {
  has(name: string): Promise<boolean>;
  open(name: string): Promise<Pick<Cache, 'keys' | 'match' | 'delete'>>;
}

function browserCaches(): CacheStore | null {
  return 'caches' in globalThis ? globalThis.caches : null;
}

/** Whether a cached URL is one of the OCR files this build uses (under this site's `/ocr/<id>/`). */
export function isImageTextFileUrl(url: string): boolean {
  const { pathname } = new URL(url);
  const prefix = `/${OCR_URL_PATH}`;
  const at = pathname.indexOf(prefix);
  return at >= 0 && OCR_FILE_ROLES.some((role) => pathname.slice(at + prefix.length) === OCR_MODEL.files[role].name);
}

export function summarizeImageTextFiles(entries: ReadonlyArray<{ url: string; bytes: number }>): CachedImageTextSummary {
  const ours = entries.filter((entry) => isImageTextFileUrl(entry.url));
  const names = new Set(ours.map((entry) => new URL(entry.url).pathname.split('/').at(-1)));
  return {
    files: ours.length,
    bytes: ours.reduce((sum, entry) => sum + entry.bytes, 0),
    complete: OCR_FILE_ROLES.every((role) => names.has(OCR_MODEL.files[role].name)),
  };
}

/** What the browser keeps of the OCR files, read from Cache Storage (sizes from content-length) without the network. */
export async function readImageTextCache(storage: CacheStore | null = browserCaches()): Promise<CachedImageTextSummary> {
  if (!storage || !(await storage.has(OCR_CACHE_NAME))) return summarizeImageTextFiles([]);
  const cache = await storage.open(OCR_CACHE_NAME);
  const entries = await Promise.all(
    (await cache.keys()).map(async (request) => {
      const response = await cache.match(request);
      return { url: request.url, bytes: Number(response?.headers.get('content-length') ?? 0) || 0 };
    }),
  );
  return summarizeImageTextFiles(entries);
}

/** Removes the cached OCR files; returns how many were removed. */
export async function deleteImageTextCache(storage: CacheStore | null = browserCaches()): Promise<number> {
  if (!storage || !(await storage.has(OCR_CACHE_NAME))) return 0;
  const cache = await storage.open(OCR_CACHE_NAME);
  const requests = (await cache.keys()).filter((request) => isImageTextFileUrl(request.url));
  const deleted = await Promise.all(requests.map((request) => cache.delete(request)));
  return deleted.filter(Boolean).length;
}
