import * as Comlink from 'comlink';
import { errorMessage } from '../core/error-facts.ts';
import type { ImageTextOutcome } from '../core/image-text.ts';
import { withTimeout } from '../core/with-timeout.ts';
import type { Backend, RuntimeCapabilities } from '../core/runtime-capabilities.ts';
import type {
  GenerateRequest,
  GenerateResult,
  ImageTextLoaded,
  LoadedModel,
  LoadProgress,
  LoadRequest,
  StreamUpdate,
  WorkerApi,
} from '../core/rewriter-api.ts';
import { WEBGPU_LOAD_ERROR } from '../core/rewriter-api.ts';

export type WorkerEndpoint = Comlink.Endpoint & { terminate(): void };

/** The worker could not start (its chunk is missing after a deploy), threw outside a call, or died. */
export class WorkerFailedError extends Error {
  override readonly name = 'WorkerFailedError';
}

/** Where OCR stands in the current worker, for the model manager and the progress view. */
export type ImageTextStatus =
  | { kind: 'not-loaded' }
  | { kind: 'loading'; loaded: number; total: number }
  | { kind: 'ready'; loaded: ImageTextLoaded }
  | { kind: 'failed'; message: string };

/** OCR that has not answered by then is left out of the rewrite, with a note; it goes on loading for the next one. */
export const IMAGE_TEXT_TIMEOUTS = { loadMs: 60_000, readMs: 20_000 } as const;

/** What Stop did: set the shared flag, posted an interrupt, or ended the worker (no flag, blocked WASM run). */
export type StopMethod = 'flag' | 'message' | 'ended-worker';

interface RunningGeneration {
  startedAt: number;
  firstTokenAt: number | null;
  text: string;
  tokenCount: number;
  resolve: (result: GenerateResult) => void;
}

/**
 * The main thread's only handle on the rewriter worker: owns its lifecycle and the stop flag. Every call settles:
 * when the worker fails, pending calls reject with a WorkerFailedError and the next call starts a fresh worker.
 */
export class RewriterClient {
  readonly #createEndpoint: () => WorkerEndpoint;
  #worker: { endpoint: WorkerEndpoint; remote: Comlink.Remote<WorkerApi>; failure: Promise<never> } | null = null;
  #loadedBackend: Backend | null = null;
  #running: RunningGeneration | null = null;
  /** Shared with the worker so Stop reaches a WASM generation that blocks the worker's event loop. */
  readonly #stopFlag: Int32Array | undefined;
  #imageTextEnabled = false;
  #imageTextLoad: { backend: Backend; loaded: Promise<ImageTextLoaded> } | null = null;
  #imageTextStatus: ImageTextStatus = { kind: 'not-loaded' };
  #imageTextListener: ((status: ImageTextStatus) => void) | null = null;

  /** `sharedStopFlag` defaults to what the page allows: SharedArrayBuffer needs cross-origin isolation. */
  constructor(createEndpoint: () => WorkerEndpoint, options: { sharedStopFlag?: boolean } = {}) {
    this.#createEndpoint = createEndpoint;
    this.#stopFlag = (options.sharedStopFlag ?? canShareMemory()) ? new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) : undefined;
  }

  probe(): Promise<RuntimeCapabilities> {
    return this.#call<RuntimeCapabilities>((api) => api.probe());
  }

  async load(request: LoadRequest, onProgress: (progress: LoadProgress) => void): Promise<LoadedModel> {
    // A fresh worker per model: transformers.js dispose() does not reliably free memory.
    if (this.#loadedBackend !== null) this.dispose();
    // OCR loads beside the model, on the backend the model loads on (a WASM retry starts it again in the new worker).
    const progress = (event: LoadProgress) => {
      if (event.kind === 'backend' && this.#imageTextEnabled) void this.prepareImageText(event.backend).catch(() => undefined);
      onProgress(event);
    };
    let loaded: LoadedModel;
    try {
      loaded = await this.#call((api) => api.load(request, Comlink.proxy(progress)));
    } catch (error) {
      if (!(error instanceof Error) || error.name !== WEBGPU_LOAD_ERROR) throw error;
      // A failed WebGPU start can leave the worker's runtime unusable: retry on WASM in a fresh one.
      this.dispose();
      loaded = await this.#call((api) => api.load({ ...request, afterWebGpuFailure: error.message }, Comlink.proxy(progress)));
    }
    this.#loadedBackend = loaded.plan.backend;
    return loaded;
  }

  generate(request: Omit<GenerateRequest, 'stopFlag'>, onStream: (update: StreamUpdate) => void): Promise<GenerateResult> {
    if (this.#stopFlag) Atomics.store(this.#stopFlag, 0, 0);
    return new Promise<GenerateResult>((resolve, reject) => {
      const running: RunningGeneration = { startedAt: performance.now(), firstTokenAt: null, text: '', tokenCount: 0, resolve };
      this.#running = running;
      const stream = (update: StreamUpdate) => {
        running.firstTokenAt ??= performance.now();
        running.text += update.text;
        running.tokenCount = update.tokenCount;
        onStream(update);
      };
      this.#call((api) => api.generate({ ...request, stopFlag: this.#stopFlag }, Comlink.proxy(stream)))
        .then(resolve, reject)
        .finally(() => {
          if (this.#running === running) this.#running = null;
        });
    });
  }

  /** Whether models loaded from now on bring OCR with them. */
  setImageTextEnabled(enabled: boolean): void {
    this.#imageTextEnabled = enabled;
  }

  onImageTextStatus(listener: ((status: ImageTextStatus) => void) | null): void {
    this.#imageTextListener = listener;
    listener?.(this.#imageTextStatus);
  }

  /** Loads OCR in the current worker on `backend`, once per worker and backend. */
  prepareImageText(backend: Backend): Promise<ImageTextLoaded> {
    if (this.#imageTextLoad?.backend === backend) return this.#imageTextLoad.loaded;
    const onProgress = ({ loaded, total }: { loaded: number; total: number }) => this.#setImageTextStatus({ kind: 'loading', loaded, total });
    this.#setImageTextStatus({ kind: 'loading', loaded: 0, total: 0 });
    const load = { backend, loaded: this.#call((api) => api.loadImageText({ backend }, Comlink.proxy(onProgress))) };
    this.#imageTextLoad = load;
    load.loaded.then(
      (loaded) => this.#imageTextLoad === load && this.#setImageTextStatus({ kind: 'ready', loaded }),
      (error: unknown) => {
        if (this.#imageTextLoad !== load) return;
        this.#imageTextLoad = null;
        this.#setImageTextStatus({ kind: 'failed', message: errorMessage(error) });
      },
    );
    return load.loaded;
  }

  /** Drops the loaded OCR (its files were deleted); the next read loads it again. The model stays loaded. */
  forgetImageText(): void {
    this.#imageTextLoad = null;
    this.#setImageTextStatus({ kind: 'not-loaded' });
  }

  /**
   * The text OCR finds in the image. Never rejects: a failure or a timeout is an outcome the rewrite goes on
   * without, with its note.
   */
  async readImageText(image: Blob, timeouts: { loadMs: number; readMs: number } = IMAGE_TEXT_TIMEOUTS): Promise<ImageTextOutcome> {
    const backend = this.#imageTextLoad?.backend ?? this.#loadedBackend ?? 'wasm';
    try {
      await withTimeout(this.prepareImageText(backend), timeouts.loadMs, 'OCR did not finish loading in time');
      const reading = await withTimeout(this.#call((api) => api.readImageText(image)), timeouts.readMs, 'OCR took too long');
      return { kind: 'read', reading };
    } catch (error) {
      return { kind: 'failed', message: errorMessage(error) };
    }
  }

  /** Aborts a model download; the pending load() rejects with an AbortError. */
  cancelLoad(): void {
    void this.#worker?.remote.cancelLoad();
  }

  stop(): StopMethod {
    if (this.#stopFlag) {
      Atomics.store(this.#stopFlag, 0, 1);
      void this.#worker?.remote.interrupt();
      return 'flag';
    }
    const running = this.#running;
    // WebGPU runs await the GPU between tokens, so a posted interrupt arrives; a WASM run never yields.
    if (!running || this.#loadedBackend === 'webgpu') {
      void this.#worker?.remote.interrupt();
      return 'message';
    }
    this.dispose();
    const now = performance.now();
    running.resolve({
      text: running.text,
      tokenCount: running.tokenCount,
      stopReason: 'stopped',
      firstTokenMs: running.firstTokenAt === null ? 0 : running.firstTokenAt - running.startedAt,
      totalMs: now - running.startedAt,
      image: null,
      constraint: null,
      reuse: null,
      workerEnded: true,
    });
    return 'ended-worker';
  }

  dispose(): void {
    const worker = this.#worker;
    this.#worker = null;
    this.#loadedBackend = null;
    this.#running = null;
    if (this.#imageTextLoad) {
      this.#imageTextLoad = null;
      this.#setImageTextStatus({ kind: 'not-loaded' });
    }
    if (!worker) return;
    worker.remote[Comlink.releaseProxy]();
    worker.endpoint.terminate();
  }

  #setImageTextStatus(status: ImageTextStatus): void {
    this.#imageTextStatus = status;
    this.#imageTextListener?.(status);
  }

  /** Runs one call on the worker, failing it (and dropping the worker) if the worker fails first. */
  #call<T>(run: (api: Comlink.Remote<WorkerApi>) => Promise<T>): Promise<T> {
    const worker = this.#startWorker();
    return Promise.race([run(worker.remote), worker.failure]);
  }

  #startWorker() {
    if (this.#worker) return this.#worker;
    const endpoint = this.#createEndpoint();
    const failure = new Promise<never>((_, reject) => {
      endpoint.addEventListener('error', (event) => {
        reject(new WorkerFailedError(describeWorkerFailure(event)));
        if (this.#worker?.endpoint === endpoint) this.dispose();
      });
    });
    // Rejections reach callers through Promise.race; with no call pending there is nobody to tell.
    failure.catch(() => undefined);
    this.#worker = { endpoint, remote: Comlink.wrap<WorkerApi>(endpoint), failure };
    return this.#worker;
  }
}

function describeWorkerFailure(event: Event): string {
  const detail = 'message' in event && typeof event.message === 'string' && event.message !== '' ? ` (${event.message})` : '';
  return (
    `The rewriter's background worker stopped${detail}. This happens when the app was updated while this page was ` +
    'open, or when the browser ran out of memory. Your inputs are kept; try again, and a fresh worker will start ' +
    '(reload the page if it keeps failing).'
  );
}

function canShareMemory(): boolean {
  const isolated = typeof crossOriginIsolated === 'boolean' ? crossOriginIsolated : true;
  return isolated && typeof SharedArrayBuffer === 'function';
}

export function createBrowserRewriterClient(): RewriterClient {
  return new RewriterClient(
    () => new Worker(new URL('../worker/rewriter.worker.ts', import.meta.url), { type: 'module', name: 'rewriter' }),
  );
}
