import type { DevicePlan } from './device-plan.ts';
import type { ImageTextReading } from './image-text.ts';
import type { Backend, BackendPreference, RuntimeCapabilities } from './runtime-capabilities.ts';
import type { ModelRecord } from './model-catalog.ts';
import type { ModelSource } from './model-source.ts';
import type { OutputFormatPlan } from './output-format-plan.ts';
import type { LevelProbabilities } from './rewrite-format.ts';

/** The verbs the rewriter worker exposes; the main thread sees them through Comlink. */
export interface RewriterApi {
  probe(): Promise<RuntimeCapabilities>;
  load(request: LoadRequest, onProgress: (progress: LoadProgress) => void): Promise<LoadedModel>;
  generate(request: GenerateRequest, onStream: (update: StreamUpdate) => void): Promise<GenerateResult>;
  /** Stops a running generation at the next token (see GenerateRequest.stopFlag for WASM). */
  interrupt(): void;
}

/** OCR in the worker, on the same onnxruntime as the model, loaded beside it. */
export interface ImageTextApi {
  /** Downloads (or takes from the cache) the OCR files and creates their sessions on `backend`. */
  loadImageText(request: ImageTextLoadRequest, onProgress: (progress: ImageTextLoadProgress) => void): Promise<ImageTextLoaded>;
  /** Rejects when OCR is not loaded or its load failed. */
  readImageText(image: Blob): Promise<ImageTextReading>;
}

/** What the worker exposes: the engine and OCR, plus what only the worker's network layer can do. */
export interface WorkerApi extends RewriterApi, ImageTextApi {
  /** Aborts the model download in progress; the pending load() rejects with an AbortError. */
  cancelLoad(): void;
}

export interface ImageTextLoadRequest {
  /** The model's backend: OCR runs where the model runs (WASM when WebGPU cannot start it). */
  backend: Backend;
}

export interface ImageTextLoadProgress {
  loaded: number;
  total: number;
}

export interface ImageTextLoaded {
  backend: Backend;
  loadMs: number;
  /** Set when WebGPU could not create the OCR sessions and WASM did. */
  webGpuFailure?: string;
}

export interface LoadRequest {
  model: ModelRecord;
  source: ModelSource;
  preference: BackendPreference;
  /** Set on the retry after a WebGPU load failed (in a fresh worker): load on WASM and report this failure. */
  afterWebGpuFailure?: string;
}

/** The name of the error a load rejects with when WebGPU itself failed, so the caller can retry on WASM. */
export const WEBGPU_LOAD_ERROR = 'WebGpuLoadError';

export type LoadProgress =
  | { kind: 'file'; file: string; status: 'initiate' | 'download' | 'done' }
  | { kind: 'file-bytes'; file: string; loaded: number; total: number }
  | { kind: 'total'; loaded: number; total: number }
  /** Sent as each attempt starts loading: the backend it loads on (WASM after a WebGPU failure). */
  | { kind: 'backend'; backend: Backend }
  | { kind: 'stage'; stage: 'warming-up' };

export interface LoadedModel {
  modelId: string;
  plan: DevicePlan;
  capabilities: RuntimeCapabilities;
  loadMs: number;
  /** Set when the planned WebGPU load failed and WASM took over. */
  webGpuFailure?: string;
  /** Milliseconds spent indexing the vocabulary for constrained generation (part of loadMs). */
  constraintSetupMs: number;
  /** Files downloaded by this load that the browser could not keep (storage full): they download again next time. */
  uncachedFiles?: number;
}

export interface ChatMessage {
  role: 'user' | 'assistant' | 'system';
  content: Array<{ type: 'image' } | { type: 'text'; text: string }>;
}

export interface GenerateRequest {
  image: Blob;
  messages: ChatMessage[];
  maxNewTokens: number;
  /** Constrain the output to this format; null lets the model write freely (a fine-tuned model, a comparison). */
  outputFormat: OutputFormatPlan | null;
  /**
   * A one-element view on a SharedArrayBuffer; the page stores 1 to stop. WASM inference blocks
   * the worker's event loop, so a postMessage'd interrupt would arrive only after generation ends.
   * The caller owns the flag and clears it before each call.
   */
  stopFlag?: Int32Array;
}

/** Sent once per generated token; `text` is the decoded text that became final since the last update. */
export interface StreamUpdate {
  text: string;
  tokenCount: number;
}

export type StopReason = 'end-of-text' | 'max-tokens' | 'stopped';

export interface GenerateResult {
  text: string;
  tokenCount: number;
  stopReason: StopReason;
  /** Milliseconds from the call to the first new token (includes image encoding and prefill). */
  firstTokenMs: number;
  totalMs: number;
  /** The image as uploaded (after EXIF orientation) and as the processor received it; null when the worker was ended first. */
  image: { original: ImageSize; processed: ImageSize } | null;
  /**
   * Set when Stop had to end the worker: without cross-origin isolation there is no shared stop flag, and a WASM
   * generation blocks the worker's event loop. `text` is what had streamed; the next rewrite reloads the model.
   */
  workerEnded?: true;
  /** Null for an unconstrained run. */
  constraint: ConstraintReport | null;
  /** What the run took over from the rewrite before it; null when the worker was ended first. */
  reuse: RunReuse | null;
}

/** The work a rewrite took over from the one before it instead of computing it again. */
export interface RunReuse {
  promptTokens: number;
  /** Prompt positions whose decoder state (attention KV) came from the previous rewrite. */
  reusedPromptTokens: number;
  /** The image's features: encoded by this run, from the feature cache, inside the reused positions, or no image. */
  image: 'encoded' | 'feature-cache' | 'in-prefix' | 'none';
}

export interface ConstraintReport {
  /** The output reached [END] and the end token inside the format. */
  complete: boolean;
  /** Null when the level was never chosen (a stopped run). */
  levelProbabilities: LevelProbabilities | null;
}

export interface ImageSize {
  width: number;
  height: number;
}
