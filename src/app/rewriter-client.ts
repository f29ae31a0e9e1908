import * as Comlink from 'comlink';
import type { RuntimeCapabilities } from '../core/device-plan.ts';
import type {
  GenerateRequest,
  GenerateResult,
  LoadedModel,
  LoadProgress,
  LoadRequest,
  StreamUpdate,
  WorkerApi,
} from '../core/rewriter-api.ts';

export type WorkerEndpoint = Comlink.Endpoint & { terminate(): void };

/** The main thread's only handle on the rewriter worker: owns its lifecycle and the stop flag. */
export class RewriterClient {
  readonly #createEndpoint: () => WorkerEndpoint;
  #endpoint: WorkerEndpoint | null = null;
  #remote: Comlink.Remote<WorkerApi> | null = null;
  #hasLoaded = false;
  /** Shared with the worker so Stop reaches a WASM generation that blocks the worker's event loop. */
  readonly #stopFlag: Int32Array | undefined = createStopFlag();

  constructor(createEndpoint: () => WorkerEndpoint) {
    this.#createEndpoint = createEndpoint;
  }

  probe(): Promise<RuntimeCapabilities> {
    return this.#api().probe();
  }

  async load(request: LoadRequest, onProgress: (progress: LoadProgress) => void): Promise<LoadedModel> {
    // A fresh worker per model: transformers.js dispose() does not reliably free memory.
    if (this.#hasLoaded) this.dispose();
    this.#hasLoaded = true;
    return this.#api().load(request, Comlink.proxy(onProgress));
  }

  generate(request: Omit<GenerateRequest, 'stopFlag'>, onStream: (update: StreamUpdate) => void): Promise<GenerateResult> {
    if (this.#stopFlag) Atomics.store(this.#stopFlag, 0, 0);
    return this.#api().generate({ ...request, stopFlag: this.#stopFlag }, Comlink.proxy(onStream));
  }

  /** Aborts a model download; the pending load() rejects with an AbortError. */
  cancelLoad(): void {
    void this.#remote?.cancelLoad();
  }

  stop(): void {
    if (this.#stopFlag) Atomics.store(this.#stopFlag, 0, 1);
    void this.#remote?.interrupt();
  }

  dispose(): void {
    this.#remote?.[Comlink.releaseProxy]();
    this.#endpoint?.terminate();
    this.#remote = null;
    this.#endpoint = null;
    this.#hasLoaded = false;
  }

  #api(): Comlink.Remote<WorkerApi> {
    if (!this.#remote) {
      this.#endpoint = this.#createEndpoint();
      this.#remote = Comlink.wrap<WorkerApi>(this.#endpoint);
    }
    return this.#remote;
  }
}

function createStopFlag(): Int32Array | undefined {
  // SharedArrayBuffer exists only on cross-origin-isolated pages; elsewhere Stop falls back to a message.
  const isolated = typeof crossOriginIsolated === 'boolean' ? crossOriginIsolated : true;
  return isolated && typeof SharedArrayBuffer === 'function'
    ? new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))
    : undefined;
}

export function createBrowserRewriterClient(): RewriterClient {
  return new RewriterClient(
    () => new Worker(new URL('../worker/rewriter.worker.ts', import.meta.url), { type: 'module', name: 'rewriter' }),
  );
}
