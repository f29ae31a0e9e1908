import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { RewriterClient, WorkerFailedError, type WorkerEndpoint } from '../../src/app/rewriter-client.ts';
import { findModel } from '../../src/core/model-catalog.ts';
import { DEFAULT_MODEL_SOURCE } from '../../src/core/model-source.ts';
import type { GenerateRequest, ImageTextLoadRequest, LoadProgress, LoadRequest, StreamUpdate, WorkerApi } from '../../src/core/rewriter-api.ts';

const model = findModel('test/tiny-smolvlm')!;
const loadRequest = { model, source: DEFAULT_MODEL_SOURCE, preference: 'auto' } as const;
const generateRequest = { image: new Blob([new Uint8Array(4)]), messages: [], maxNewTokens: 1000, outputFormat: null };

/** A worker stand-in: the real Comlink protocol over a MessageChannel, with a scripted API behind it. */
class FakeWorker {
  readonly endpoints: Array<WorkerEndpoint & { terminated: boolean }> = [];
  readonly requests: GenerateRequest[] = [];
  /** When set, load() waits for cancelLoad() like a download in progress. */
  slowLoad = false;
  /** When set, a load that is not already a WASM retry fails as WebGPU failing to start would. */
  webGpuFails = false;
  readonly loadRequests: LoadRequest[] = [];
  readonly imageTextLoads: ImageTextLoadRequest[] = [];
  /** When set, OCR fails to load with this message. */
  imageTextFails: string | null = null;
  /** How long an OCR read takes. */
  imageTextReadMs = 0;
  #cancelDownload: (() => void) | null = null;

  get downloading(): boolean {
    return this.#cancelDownload !== null;
  }

  readonly api: WorkerApi = {
    probe: async () => ({ runtime: 'node' }),
    load: async (request, onProgress) => {
      this.loadRequests.push(request);
      if (this.webGpuFails && !request.afterWebGpuFailure) {
        throw Object.assign(new Error('GPU device creation failed'), { name: 'WebGpuLoadError' });
      }
      if (this.slowLoad) {
        await new Promise<void>((_, reject) => {
          this.#cancelDownload = () => reject(new DOMException('The download was cancelled.', 'AbortError'));
        });
      }
      onProgress({ kind: 'backend', backend: request.afterWebGpuFailure ? 'wasm' : 'webgpu' });
      onProgress({ kind: 'total', loaded: 1, total: 2 });
      onProgress({ kind: 'total', loaded: 2, total: 2 });
      return { modelId: request.model.id, plan: { backend: 'cpu', dtypes: model.recipes.cpu, reason: 'test' }, capabilities: { runtime: 'node' }, loadMs: 1, constraintSetupMs: 0 };
    },
    // Emits tokens until the shared stop flag is set, as the engine does during a WASM run.
    generate: async (request, onStream) => {
      this.requests.push(request);
      let tokenCount = 0;
      // Without a shared flag this stands for a WASM run that never yields to the worker's event loop.
      while (tokenCount < request.maxNewTokens && (!request.stopFlag || Atomics.load(request.stopFlag, 0) === 0)) {
        tokenCount += 1;
        await onStream({ text: 'x', tokenCount });
      }
      const size = { width: 1, height: 1 };
      return { text: 'x'.repeat(tokenCount), tokenCount, stopReason: 'stopped', firstTokenMs: 0, totalMs: 0, image: { original: size, processed: size }, constraint: null, reuse: null };
    },
    interrupt: () => undefined,
    cancelLoad: () => this.#cancelDownload?.(),
    loadImageText: async (request, onProgress) => {
      this.imageTextLoads.push(request);
      await onProgress({ loaded: 5, total: 10 });
      if (this.imageTextFails) throw new Error(this.imageTextFails);
      return { backend: request.backend, loadMs: 1 };
    },
    readImageText: async () => {
      await new Promise((resolve) => setTimeout(resolve, this.imageTextReadMs));
      return { lines: [{ text: 'STEPS', confidence: 0.9, box: [] }], imageSize: { width: 1, height: 1 }, ms: this.imageTextReadMs };
    },
  };

  create = (): WorkerEndpoint => {
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(this.api, port1);
    const endpoint = Object.assign(port2, {
      terminated: false,
      terminate() {
        endpoint.terminated = true;
        port1.close();
        port2.close();
      },
    });
    this.endpoints.push(endpoint);
    return endpoint;
  };
}

/** What a Worker does when its script fails to load or throws: an 'error' event on the Worker object. */
function failWorker(endpoint: WorkerEndpoint | undefined): void {
  (endpoint as unknown as EventTarget | undefined)?.dispatchEvent(new Event('error'));
}

describe('RewriterClient', () => {
  let client: RewriterClient | null = null;
  afterEach(() => client?.dispose());

  it('starts no worker until it is used, then forwards progress callbacks', async () => {
    const worker = new FakeWorker();
    client = new RewriterClient(worker.create);
    expect(worker.endpoints).toHaveLength(0);
    const progress: LoadProgress[] = [];
    const loaded = await client.load(loadRequest, (event) => progress.push(event));
    expect(loaded.modelId).toBe(model.id);
    // Callbacks travel on their own channel, so they may land after load() resolves.
    await expect.poll(() => progress).toEqual([
      { kind: 'backend', backend: 'webgpu' },
      { kind: 'total', loaded: 1, total: 2 },
      { kind: 'total', loaded: 2, total: 2 },
    ]);
    expect(worker.endpoints).toHaveLength(1);
  });

  it('streams updates and stops the worker through the shared flag', async () => {
    const worker = new FakeWorker();
    client = new RewriterClient(worker.create);
    await client.load(loadRequest, () => undefined);
    const updates: StreamUpdate[] = [];
    const result = await client.generate(generateRequest, (update) => {
      updates.push(update);
      if (update.tokenCount === 3) client?.stop();
    });
    expect(result.tokenCount).toBeGreaterThanOrEqual(3);
    expect(result.tokenCount).toBeLessThan(generateRequest.maxNewTokens);
    expect(updates.map((update) => update.tokenCount).slice(0, 3)).toEqual([1, 2, 3]);
    expect(worker.requests[0]?.stopFlag?.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('clears the stop flag before the next generation', async () => {
    const worker = new FakeWorker();
    client = new RewriterClient(worker.create);
    await client.load(loadRequest, () => undefined);
    client.stop();
    const result = await client.generate({ ...generateRequest, maxNewTokens: 5 }, () => undefined);
    expect(result.tokenCount).toBe(5);
  });

  it('cancels a download in progress: the load rejects with an AbortError', async () => {
    const worker = new FakeWorker();
    worker.slowLoad = true;
    client = new RewriterClient(worker.create);
    const load = client.load(loadRequest, () => undefined);
    await expect.poll(() => worker.downloading).toBe(true);
    client.cancelLoad();
    await expect(load).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('replaces the worker when another model is loaded, so the old one is freed', async () => {
    const worker = new FakeWorker();
    client = new RewriterClient(worker.create);
    await client.load(loadRequest, () => undefined);
    await client.load(loadRequest, () => undefined);
    expect(worker.endpoints.map((endpoint) => endpoint.terminated)).toEqual([true, false]);
  });

  it('fails every pending call when the worker dies, and starts a fresh worker for the next one', async () => {
    const worker = new FakeWorker();
    worker.slowLoad = true;
    client = new RewriterClient(worker.create);
    const load = client.load(loadRequest, () => undefined);
    await expect.poll(() => worker.downloading).toBe(true);
    failWorker(worker.endpoints[0]);
    await expect(load).rejects.toBeInstanceOf(WorkerFailedError);
    await expect(load).rejects.toThrow(/background worker stopped.*try again/i);
    expect(worker.endpoints[0]?.terminated).toBe(true);

    worker.slowLoad = false;
    await expect(client.load(loadRequest, () => undefined)).resolves.toMatchObject({ modelId: model.id });
    expect(worker.endpoints).toHaveLength(2);
  });

  it('fails a call on a worker whose script never loads, instead of waiting for ever', async () => {
    const worker = new FakeWorker();
    client = new RewriterClient(() => {
      const endpoint = worker.create();
      setTimeout(() => failWorker(endpoint), 0);
      return endpoint;
    });
    worker.slowLoad = true;
    await expect(client.load(loadRequest, () => undefined)).rejects.toBeInstanceOf(WorkerFailedError);
  });

  it('without a shared flag, Stop ends a blocked WASM run by ending the worker, keeping the text so far', async () => {
    const worker = new FakeWorker();
    client = new RewriterClient(worker.create, { sharedStopFlag: false });
    await client.load(loadRequest, () => undefined);
    let stopped: string | undefined;
    const result = await client.generate(generateRequest, (update) => {
      if (update.tokenCount === 4) stopped = client?.stop();
    });
    expect(stopped).toBe('ended-worker');
    expect(result).toMatchObject({ stopReason: 'stopped', workerEnded: true, text: 'xxxx', tokenCount: 4, image: null });
    expect(worker.endpoints[0]?.terminated).toBe(true);
    // The next rewrite gets a fresh worker.
    await client.load(loadRequest, () => undefined);
    expect(worker.endpoints).toHaveLength(2);
  });

  it('retries a load whose WebGPU start failed on WASM, in a fresh worker, and reports why', async () => {
    const worker = new FakeWorker();
    worker.webGpuFails = true;
    client = new RewriterClient(worker.create);
    await expect(client.load(loadRequest, () => undefined)).resolves.toMatchObject({ modelId: model.id });
    expect(worker.loadRequests.map((request) => request.afterWebGpuFailure)).toEqual([undefined, 'GPU device creation failed']);
    expect(worker.endpoints.map((endpoint) => endpoint.terminated)).toEqual([true, false]);
  });

  describe('OCR', () => {
    it('loads OCR beside the model on the backend the model loads on, and again in the fresh worker of a WASM retry', async () => {
      const worker = new FakeWorker();
      worker.webGpuFails = true;
      client = new RewriterClient(worker.create);
      client.setImageTextEnabled(true);
      await client.load(loadRequest, () => undefined);
      await expect.poll(() => worker.imageTextLoads).toEqual([{ backend: 'wasm' }]);
      const outcome = await client.readImageText(new Blob());
      expect(outcome).toMatchObject({ kind: 'read', reading: { lines: [{ text: 'STEPS' }] } });
    });

    it('loads no OCR with the model when it is off', async () => {
      const worker = new FakeWorker();
      client = new RewriterClient(worker.create);
      await client.load(loadRequest, () => undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(worker.imageTextLoads).toEqual([]);
    });

    it('turns a failed OCR load into a note, reports it, and tries again on the next read', async () => {
      const worker = new FakeWorker();
      worker.imageTextFails = 'protobuf parsing failed';
      client = new RewriterClient(worker.create);
      const statuses: string[] = [];
      client.onImageTextStatus((status) => statuses.push(status.kind));
      const outcome = await client.readImageText(new Blob());
      expect(outcome).toEqual({ kind: 'failed', message: 'protobuf parsing failed' });
      await expect.poll(() => statuses.at(-1)).toBe('failed');
      worker.imageTextFails = null;
      expect(await client.readImageText(new Blob())).toMatchObject({ kind: 'read' });
      expect(worker.imageTextLoads).toHaveLength(2);
    });

    it('gives up on a read that takes too long, with a note saying so', async () => {
      const worker = new FakeWorker();
      worker.imageTextReadMs = 200;
      client = new RewriterClient(worker.create);
      const outcome = await client.readImageText(new Blob(), { loadMs: 1000, readMs: 20 });
      expect(outcome.kind).toBe('failed');
      expect(outcome.kind === 'failed' && outcome.message).toMatch(/OCR took too long/);
    });
  });
});
