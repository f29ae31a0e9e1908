import { env } from '@huggingface/transformers';
import type { DevicePlan } from '../core/device-plan.ts';
import type { ModelSource } from '../core/model-source.ts';

/** Self-hosted onnxruntime-web files, so the runtime never comes from a CDN. */
export interface OrtWasmFiles {
  wasm: string;
  mjs: string;
}

let downloads = new AbortController();
const platformFetch = globalThis.fetch.bind(globalThis);

/**
 * Every file transformers.js fetches goes through here, so one abort cancels a whole model
 * download. transformers.js writes a file to the cache only after reading all of it, so an
 * aborted file leaves no entry; finished files of the same model are removed by the caller.
 */
env.fetch = (input: string | URL, init?: RequestInit) => platformFetch(input, { ...init, signal: downloads.signal });

/** Aborts all model downloads in progress; later downloads start afresh. */
export function cancelDownloads(): void {
  downloads.abort(new DOMException('The download was cancelled.', 'AbortError'));
  downloads = new AbortController();
}

export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'name' in error && error.name === 'AbortError';
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
