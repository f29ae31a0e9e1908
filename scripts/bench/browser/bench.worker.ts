/**
 * The browser side of `npm run bench`: the app's engine (and the raw onnxruntime-web loop) in a module worker, as in
 * the app, driven by page.ts through Comlink. Typed against the Node lib (scripts/ is compiled for Node), so the few
 * worker globals it touches are declared here.
 */
import * as Comlink from 'comlink';
import * as ortWeb from 'onnxruntime-web/webgpu';
import type { RuntimeCapabilities, WebGpuAvailability } from '../../../src/core/runtime-capabilities.ts';
import type { ModelSource } from '../../../src/core/model-source.ts';
import { buildRewriteMessages } from '../../../src/core/rewrite-prompt.ts';
import { planWasm } from '../../../src/core/device-plan.ts';
import { OCR_MODEL } from '../../../src/core/ocr-model.ts';
import { ImageTextReader } from '../../../src/engine/image-text-reader.ts';
import { configureTransformers, type OrtWasmFiles } from '../../../src/engine/transformers-environment.ts';
import { VlmEngine } from '../../../src/engine/vlm-engine.ts';
import { benchModelRecord, FP32_DTYPES, rawModelFiles } from '../bench-model.ts';
import { recipeRequest, runRawLoopSweep } from '../recipe-suite.ts';
import { runRewriteSuite } from '../rewrite-suite.ts';
import { ENGINE_VARIANTS, runEngineSuite } from '../engine-suite.ts';
import { compareWithOfficialConfig } from '../official-config.ts';
import { runConstrainedSuite } from '../constrained-suite.ts';
import { runOcrSuite } from '../ocr-suite.ts';
import type { OrtModule } from '../raw-loop.ts';
import type { BenchWorkerApi, BrowserEnvironment, BrowserProbeJob } from './browser-jobs.ts';

interface GpuAdapterLike {
  features: { has(name: string): boolean };
  info: { vendor: string; architecture: string; description: string };
}
interface WorkerScope {
  crossOriginIsolated: boolean;
  location: { origin: string };
  navigator: {
    hardwareConcurrency: number;
    userAgent: string;
    gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> };
  };
}
const scope = globalThis as unknown as WorkerScope;

const source: ModelSource = { localPath: '/models/', hubUrl: null };
/** Served by the bench server from node_modules/onnxruntime-web/dist: never a CDN. */
const ortWasmFiles: OrtWasmFiles = {
  wasm: `${scope.location.origin}/ort/ort-wasm-simd-threaded.asyncify.wasm`,
  mjs: `${scope.location.origin}/ort/ort-wasm-simd-threaded.asyncify.mjs`,
};

async function webgpu(): Promise<BrowserEnvironment['webgpu']> {
  const adapter = await scope.navigator.gpu?.requestAdapter().catch(() => null);
  if (!adapter) return { available: false, reason: 'no WebGPU adapter' };
  const { vendor, architecture, description } = adapter.info;
  return {
    available: true,
    shaderF16: adapter.features.has('shader-f16'),
    adapterDescription: [vendor, architecture, description].filter(Boolean).join(' ') || 'unknown GPU',
    architecture,
  };
}

function capabilities(useWebGpu: boolean): () => Promise<RuntimeCapabilities> {
  return async () => {
    const gpu: WebGpuAvailability = useWebGpu ? await webgpu() : { available: false, reason: 'benchmarking WASM' };
    return {
      runtime: 'browser',
      webgpu: gpu,
      crossOriginIsolated: scope.crossOriginIsolated,
      hardwareConcurrency: scope.navigator.hardwareConcurrency,
    };
  };
}

async function fetchBlob(url: string): Promise<Blob> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.blob();
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetchBlob(url)).arrayBuffer());
}

let probe: { engine: VlmEngine; job: BrowserProbeJob } | null = null;

const api: BenchWorkerApi = {
  async environment() {
    return {
      crossOriginIsolated: scope.crossOriginIsolated,
      hardwareConcurrency: scope.navigator.hardwareConcurrency,
      webgpu: await webgpu(),
      userAgent: scope.navigator.userAgent,
    };
  },

  async load(job) {
    const engine = new VlmEngine({ probeCapabilities: capabilities(job.backend === 'webgpu'), ortWasmFiles, tuning: ENGINE_VARIANTS.final });
    const started = performance.now();
    const info = await engine.load(
      { model: benchModelRecord(job.modelId, job.dtypes), source, preference: job.backend === 'webgpu' ? 'auto' : 'wasm' },
      () => undefined,
    );
    probe = { engine, job };
    return { loadMs: performance.now() - started, backend: info.plan.backend, threads: info.plan.wasmThreads ?? null };
  },

  async rewrite(imageUrl) {
    if (!probe) throw new Error('load() first');
    const { job } = probe;
    const result = await probe.engine.generate(
      {
        image: await fetchBlob(imageUrl),
        messages: buildRewriteMessages(job.question),
        maxNewTokens: job.newTokens,
        outputFormat: null,
        minNewTokens: job.newTokens,
      },
      () => undefined,
    );
    return { firstTokenMs: result.firstTokenMs, totalMs: result.totalMs, tokenCount: result.tokenCount, profile: result.profile };
  },

  async unload() {
    await probe?.engine.dispose();
    probe = null;
  },

  async suite(job, log) {
    const modelUrl = `${scope.location.origin}/models/${job.modelId}`;
    const files = rawModelFiles(modelUrl, job.dtypes);
    return runEngineSuite({
      model: benchModelRecord(job.modelId, job.dtypes),
      source,
      dtypes: job.dtypes,
      probeCapabilities: capabilities(false),
      ortWasmFiles,
      runs: job.runs,
      loads: job.loads,
      newTokens: job.newTokens,
      cacheTokens: job.cacheTokens,
      questions: job.questions,
      images: await Promise.all(job.imageUrls.map(fetchBlob)),
      variants: job.variants,
      orderExperiment: job.orderExperiment,
      sameImage: job.sameImage,
      log,
      // The same onnxruntime-web instance transformers.js uses, so the same wasm build and thread count.
      raw: job.rawShape
        ? {
            ort: ortWeb as unknown as OrtModule,
            files: {
              embed: await fetchBytes(files.embed),
              vision: await fetchBytes(files.vision),
              decoder: await fetchBytes(files.decoder),
            },
            shape: job.rawShape,
            sessionOptions: { executionProviders: ['wasm'] },
          }
        : undefined,
    });
  },

  async official(job) {
    return compareWithOfficialConfig({
      model: benchModelRecord(job.modelId, job.ourDtypes),
      source,
      backend: 'wasm',
      ourDtypes: job.ourDtypes,
      probeCapabilities: capabilities(false),
      ortWasmFiles,
      image: await fetchBlob(job.imageUrl),
      warmUpImage: await fetchBlob(job.warmUpImageUrl),
      runs: job.runs,
      newTokens: job.newTokens,
      question: job.question,
    });
  },

  async constrained(job, log) {
    return runConstrainedSuite({
      model: benchModelRecord(job.modelId, job.dtypes),
      source,
      dtypes: job.dtypes,
      probeCapabilities: capabilities(false),
      ortWasmFiles,
      loads: job.loads,
      runs: job.runs,
      maxNewTokens: job.maxNewTokens,
      question: job.question,
      image: await fetchBlob(job.imageUrl),
      log,
    });
  },

  async ocr(job, log) {
    // OCR may start the runtime before transformers.js does: the same self-hosted wasm and the engine's thread count.
    const threads = planWasm(await capabilities(false)(), benchModelRecord(job.modelId, job.dtypes), '').wasmThreads ?? null;
    ortWeb.env.wasm.wasmPaths = ortWasmFiles;
    if (threads !== null) ortWeb.env.wasm.numThreads = threads;
    const ocrFile = (name: string) => fetchBlob(`${scope.location.origin}/ocr/${name}`);
    const { share } = job;
    const records = await runOcrSuite({
      createReader: async () => {
        const { detection, recognition, dictionary } = OCR_MODEL.files;
        return ImageTextReader.create(
          {
            detection: await (await ocrFile(detection.name)).arrayBuffer(),
            recognition: await (await ocrFile(recognition.name)).arrayBuffer(),
            dictionary: await (await ocrFile(dictionary.name)).text(),
          },
          { ort: ortWeb, sessionOptions: { executionProviders: ['wasm'] } },
        );
      },
      images: await Promise.all(job.images.map(async ({ id, url }) => ({ id, image: await fetchBlob(url) }))),
      share: share && {
        loadEngine: async () => {
          const engine = new VlmEngine({ probeCapabilities: capabilities(false), ortWasmFiles, tuning: ENGINE_VARIANTS.final });
          const info = await engine.load({ model: benchModelRecord(job.modelId, job.dtypes), source, preference: 'wasm' }, () => undefined);
          return { engine, backend: info.plan.backend };
        },
        images: await Promise.all(share.imageUrls.map(fetchBlob)),
        question: share.question,
        newTokens: share.newTokens,
        runs: share.runs,
      },
      log,
    });
    return { records, threads };
  },

  async rawSweep(job, log) {
    const model = benchModelRecord(job.modelId, FP32_DTYPES);
    const plan = planWasm(await capabilities(false)(), model, '');
    configureTransformers(source, job.threads === undefined ? plan : { ...plan, wasmThreads: job.threads }, ortWasmFiles);
    const modelUrl = `${scope.location.origin}/models/${job.modelId}`;
    return runRawLoopSweep(
      {
        // The same onnxruntime-web instance transformers.js uses, so the same wasm build and thread count.
        ort: ortWeb as unknown as OrtModule,
        files: async (dtypes) => {
          const files = rawModelFiles(modelUrl, dtypes);
          return { embed: await fetchBytes(files.embed), vision: await fetchBytes(files.vision), decoder: await fetchBytes(files.decoder) };
        },
        shape: job.rawShape,
        baseSessionOptions: { executionProviders: ['wasm'] },
        request: await recipeRequest(model, await fetchBlob(job.imageUrl), job.question),
        runs: job.runs,
        newTokens: job.newTokens,
        log,
      },
      job.variants,
    );
  },

  async rewrites(job, log) {
    const engine = new VlmEngine({ probeCapabilities: capabilities(false), ortWasmFiles, tuning: ENGINE_VARIANTS.final });
    await engine.load({ model: benchModelRecord(job.modelId, job.dtypes), source, preference: 'wasm' }, () => undefined);
    const records = await runRewriteSuite({ engine, question: job.question, images: await Promise.all(job.imageUrls.map(fetchBlob)), runs: job.runs, log });
    await engine.dispose();
    return records;
  },

  async bandwidth(megabytes, repeats) {
    // One thread copying a buffer far larger than the caches: read + write traffic over time.
    const source = new Float64Array((megabytes * 2 ** 20) / 8).fill(1);
    const target = new Float64Array(source.length);
    let best = Infinity;
    for (let i = 0; i < repeats; i++) {
      const started = performance.now();
      target.set(source);
      best = Math.min(best, performance.now() - started);
    }
    return { gbPerSecond: (2 * source.byteLength) / (best / 1000) / 1e9, method: `TypedArray.set of ${megabytes} MiB, one thread, best of ${repeats}` };
  },
};

Comlink.expose(api, globalThis as unknown as Comlink.Endpoint);
