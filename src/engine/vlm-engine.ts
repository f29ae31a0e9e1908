import { InterruptableStoppingCriteria } from '@huggingface/transformers';
import { planDevice, planWasm } from '../core/device-plan.ts';
import { errorMessage } from '../core/error-facts.ts';
import { loadFailureKind } from '../core/load-error-message.ts';
import type { LoadedModel, LoadProgress, LoadRequest, RewriterApi, StreamUpdate } from '../core/rewriter-api.ts';
import { WEBGPU_LOAD_ERROR } from '../core/rewriter-api.ts';
import type { RuntimeCapabilities } from '../core/runtime-capabilities.ts';
import { DEFAULT_ENGINE_TUNING, type EngineGenerateRequest, type EngineGenerateResult, type EngineTuning } from './engine-types.ts';
import { loadModel, type LoadedModelState } from './model-loader.ts';
import { runGeneration } from './run-generation.ts';
import { beginDownloads, countUncachedDownloads, forgetCancelledDownloads, type OrtWasmFiles } from './transformers-environment.ts';

// The engine's types, for its callers (the benchmark, the command line, tests).
export {
  DEFAULT_ENGINE_TUNING,
  type EngineGenerateRequest,
  type EngineGenerateResult,
  type EngineTuning,
  type GenerateProfile,
} from './engine-types.ts';

export interface VlmEngineOptions {
  probeCapabilities: () => Promise<RuntimeCapabilities>;
  ortWasmFiles?: OrtWasmFiles;
  tuning?: Partial<EngineTuning>;
}

/** WebGPU itself failed while loading; the caller retries on WASM with `afterWebGpuFailure`. */
export class WebGpuLoadError extends Error {
  override readonly name = WEBGPU_LOAD_ERROR;
}

/** Loads one image-text-to-text model with transformers.js and generates from it. */
export class VlmEngine implements RewriterApi {
  readonly #options: VlmEngineOptions;
  readonly #stopper = new InterruptableStoppingCriteria();
  readonly #tuning: EngineTuning;
  #loaded: LoadedModelState | null = null;
  #capabilities: Promise<RuntimeCapabilities> | null = null;

  constructor(options: VlmEngineOptions) {
    this.#options = options;
    this.#tuning = { ...DEFAULT_ENGINE_TUNING, ...options.tuning };
  }

  probe(): Promise<RuntimeCapabilities> {
    // Keep the promise, not a failure: a rejected probe is retried on the next call.
    this.#capabilities ??= this.#options.probeCapabilities().catch((error: unknown) => {
      this.#capabilities = null;
      throw error;
    });
    return this.#capabilities;
  }

  async load(request: LoadRequest, onProgress: (progress: LoadProgress) => void): Promise<LoadedModel> {
    const started = performance.now();
    const capabilities = await this.probe();
    await this.dispose();

    const webGpuFailure = request.afterWebGpuFailure;
    const plan = webGpuFailure
      ? planWasm(capabilities, request.model, `WebGPU failed (${webGpuFailure})`)
      : planDevice(capabilities, request.model, request.preference);
    onProgress({ kind: 'backend', backend: plan.backend });
    beginDownloads();
    try {
      const settings = { plan, capabilities, tuning: this.#tuning, ortWasmFiles: this.#options.ortWasmFiles, started };
      this.#loaded = await loadModel(request, settings, onProgress);
    } catch (error) {
      const kind = loadFailureKind(error instanceof Error ? error : { message: String(error) });
      if (kind === 'cancelled') await forgetCancelledDownloads();
      // Only the backend's own failures are worth a retry on WASM (a cancelled, missing or unreachable file would
      // fail there too), and in a fresh worker: a failed WebGPU start can leave this runtime unusable.
      if (plan.backend === 'webgpu' && kind === 'other') throw new WebGpuLoadError(describeWebGpuFailure(error), { cause: error });
      throw error;
    }
    if (webGpuFailure) this.#loaded.info.webGpuFailure = webGpuFailure;
    this.#loaded.info.uncachedFiles = await countUncachedDownloads();
    return this.#loaded.info;
  }

  async generate(request: EngineGenerateRequest, onStream: (update: StreamUpdate) => void): Promise<EngineGenerateResult> {
    const state = this.#loaded;
    if (!state) throw new Error('No model is loaded.');
    return runGeneration(state, this.#stopper, request, onStream);
  }

  /** Forgets cached image features and prompt KV (e.g. to measure a cold rewrite). */
  clearCaches(): void {
    this.#loaded?.visionCache?.clear();
    this.#loaded?.prefixCache?.clear();
  }

  interrupt(): void {
    this.#stopper.interrupt();
  }

  async dispose(): Promise<void> {
    const loaded = this.#loaded;
    this.#loaded = null;
    loaded?.visionCache?.clear();
    loaded?.prefixCache?.clear();
    await loaded?.vlm.dispose();
  }
}

/** onnxruntime-web reports some WebGPU start-up failures as a bare number (an internal exception pointer). */
function describeWebGpuFailure(error: unknown): string {
  const message = errorMessage(error);
  return /^\d+$/.test(message) ? `onnxruntime-web could not start its WebGPU backend (internal error ${message})` : message;
}
