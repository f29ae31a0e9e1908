import { OCR_CACHE_NAME, OCR_FILE_ROLES, OCR_MODEL, OCR_TOTAL_BYTES, type OcrFileRole } from '../core/ocr-model.ts';
import type { OcrModelFiles } from './image-text-reader.ts';

export interface OcrDownloadProgress {
  loaded: number;
  total: number;
}

interface FileCache {
  match(url: string): Promise<Response | undefined>;
  put(url: string, response: Response): Promise<void>;
  delete(url: string): Promise<boolean>;
}

/**
 * Fetches the OCR files from `baseUrl` (this site's `/ocr/<id>/`), from Cache Storage where they are kept. A file is
 * cached only after it has arrived whole (its size is known: OCR_MODEL); a cache that cannot be written (storage full)
 * costs a download next time, never the OCR itself.
 */
export async function fetchOcrFiles(
  baseUrl: string,
  onProgress: (progress: OcrDownloadProgress) => void,
  signal?: AbortSignal,
): Promise<OcrModelFiles> {
  const cache = await openCache();
  const loaded: Record<OcrFileRole, number> = { detection: 0, recognition: 0, dictionary: 0 };
  const report = () => onProgress({ loaded: OCR_FILE_ROLES.reduce((sum, role) => sum + loaded[role], 0), total: OCR_TOTAL_BYTES });
  const fetchOne = async (role: OcrFileRole): Promise<ArrayBuffer> => {
    const { name, bytes: expected } = OCR_MODEL.files[role];
    const url = new URL(name, baseUrl).href;
    const cached = await (await cache?.match(url))?.arrayBuffer();
    if (cached?.byteLength === expected) {
      loaded[role] = expected;
      report();
      return cached;
    }
    const response = await fetch(url, { signal });
    if (!response.ok) throw new Error(`The OCR file ${name} could not be downloaded (HTTP ${response.status}).`);
    const bytes = await readWithProgress(response, (count) => {
      loaded[role] = count;
      report();
    });
    if (bytes.byteLength !== expected) {
      throw new Error(`The OCR file ${name} arrived incomplete (${bytes.byteLength.toLocaleString('en')} of ${expected.toLocaleString('en')} bytes).`);
    }
    await cache?.put(url, new Response(bytes, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) } })).catch(() => undefined);
    return bytes;
  };
  const [detection, recognition, dictionary] = await Promise.all([fetchOne('detection'), fetchOne('recognition'), fetchOne('dictionary')]);
  return { detection, recognition, dictionary: new TextDecoder().decode(dictionary) };
}

/** Removes the cached OCR files (they would not start): the next load downloads them again. */
export async function forgetOcrFiles(baseUrl: string): Promise<void> {
  const cache = await openCache();
  await Promise.all(OCR_FILE_ROLES.map((role) => cache?.delete(new URL(OCR_MODEL.files[role].name, baseUrl).href).catch(() => false)));
}

async function openCache(): Promise<FileCache | null> {
  const storage = (globalThis as { caches?: { open(name: string): Promise<FileCache> } }).caches;
  return storage ? storage.open(OCR_CACHE_NAME).catch(() => null) : null;
}

async function readWithProgress(response: Response, onBytes: (count: number) => void): Promise<ArrayBuffer> {
  if (!response.body) return response.arrayBuffer();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let count = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    count += value.byteLength;
    onBytes(count);
  }
  const whole = new Uint8Array(count);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  return whole.buffer;
}
