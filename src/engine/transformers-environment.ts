import { env } from '@huggingface/transformers';
import type { DevicePlan } from '../core/device-plan.ts';
import { MODEL_CACHE_NAME } from '../core/model-cache-keys.ts';
import type { ModelSource } from '../core/model-source.ts';

/** Self-hosted onnxruntime-web files, so the runtime never comes from a CDN. */
export interface OrtWasmFiles {
  wasm: string;
  mjs: string;
}

/**
 * One load's downloads: every file transformers.js fetches goes through `env.fetch` below, so one abort
 * cancels them all, and the URLs it fetched are what that load may have written to the cache.
 */
let downloads = new AbortController();
let fetchedThisLoad = new Set<string>();
const platformFetch = globalThis.fetch.bind(globalThis);

env.fetch = async (input: string | URL, init?: RequestInit) => {
  const url = typeof input === 'string' ? input : input.href;
  const response = await platformFetch(input, { ...init, signal: downloads.signal });
  if (response.ok) fetchedThisLoad.add(url);
  return response;
};

/**
 * Starts a load's downloads. A cancelled load stays cancelled until the next one begins, so neither the
 * WebGPU→WASM retry nor transformers.js's local→hub fallback can fetch anything after Cancel.
 */
export function beginDownloads(): void {
  downloads = new AbortController();
  fetchedThisLoad = new Set();
}

/** Aborts the downloads of the load in progress. */
export function cancelDownloads(): void {
  downloads.abort(new DOMException('The download was cancelled.', 'AbortError'));
}

type ModelCacheStorage = { open(name: string): Promise<{ delete(url: string): Promise<boolean>; match(url: string): Promise<unknown> }> };

function cacheStorage(): ModelCacheStorage | undefined {
  return (globalThis as { caches?: ModelCacheStorage }).caches;
}

/**
 * How many files this load downloaded but the cache does not hold: transformers.js goes on without caching when the
 * write fails (a full disk), so the model works now and downloads again next time. 0 where there is no Cache API.
 */
export async function countUncachedDownloads(): Promise<number> {
  const storage = cacheStorage();
  if (!storage || fetchedThisLoad.size === 0) return 0;
  const cache = await storage.open(MODEL_CACHE_NAME);
  const cached = await Promise.all([...fetchedThisLoad].map(async (url) => (await cache.match(url)) !== undefined));
  return cached.filter((isCached) => !isCached).length;
}

/**
 * Removes from the cache what the cancelled load downloaded, and nothing else: other variants of the
 * same model, cached by earlier loads, stay. transformers.js writes a file only after reading all of
 * it, so an aborted file left no entry. Returns the number of entries removed.
 */
export async function forgetCancelledDownloads(): Promise<number> {
  const fetched = [...fetchedThisLoad];
  fetchedThisLoad = new Set();
  const storage = cacheStorage();
  if (!storage || fetched.length === 0) return 0;
  const cache = await storage.open(MODEL_CACHE_NAME);
  const removed = await Promise.all(fetched.map((url) => cache.delete(url)));
  return removed.filter(Boolean).length;
}

/**
 * transformers.js keeps its settings in one module-level object; this is the only place that
 * writes it. Called before every load, because the source and the plan can change between loads.
 */
export function configureTransformers(source: ModelSource, plan: DevicePlan, ortWasmFiles?: OrtWasmFiles): void {
  env.allowLocalModels = source.localPath !== null;
  if (source.localPath !== null) env.localModelPath = source.localPath;
  env.allowRemoteModels = source.hubUrl !== null;
  if (source.hubUrl !== null) env.remoteHost = source.hubUrl;

  const wasm = env.backends.onnx.wasm;
  if (wasm) {
    // transformers.js points wasmPaths at a CDN at import time; this must win before the first session.
    if (ortWasmFiles) wasm.wasmPaths = { wasm: ortWasmFiles.wasm, mjs: ortWasmFiles.mjs };
    if (plan.wasmThreads !== undefined) wasm.numThreads = plan.wasmThreads;
  }
}
