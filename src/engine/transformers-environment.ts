import { env } from '@huggingface/transformers';
import type { DevicePlan } from '../core/device-plan.ts';
import type { ModelSource } from '../core/model-source.ts';

/** Self-hosted onnxruntime-web files, so the runtime never comes from a CDN. */
export interface OrtWasmFiles {
  wasm: string;
  mjs: string;
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
