/** The Chromium half of `npm run bench`: the benchmark page (browser/) runs the engine on WASM in its worker. */
import { RECIPES_BY_FAMILY, type SessionDtypes } from '../../src/core/model-catalog.ts';
import {
  constrainedReport,
  describeDtypes,
  officialComparison,
  optimisationReports,
  rawLoopComparison,
  rewriteConfigReport,
  suiteConfigReport,
} from './bench-analysis.ts';
import { addBandwidthRow, type BenchCollector, type BenchContext } from './bench-context.ts';
import { FP32_DTYPES, WASM_RECIPE_DTYPES } from './bench-model.ts';
import { BENCH_QUESTIONS } from './bench-prompts.ts';
import { runBrowserOcr } from './bench-ocr-sections.ts';
import { callPage, type BrowserSession } from './browser-bench.ts';
import type { BrowserEnvironment } from './browser/browser-jobs.ts';
import { mergeSuiteRecords, suiteImageCount, type EngineVariant } from './engine-suite.ts';
import { REASONING_MODES } from '../../src/core/reasoning-mode.ts';
import {
  ONE_THREAD_VARIANT,
  optionTexts,
  recipeVariants,
  sessionOptionVariants,
  SWEPT_RECIPES,
  SWEPT_SESSION_OPTIONS,
  type RawLoopVariant,
  type SweptSessionOption,
} from './recipe-suite.ts';
import { recipeReports, sessionOptionReports } from './report-recipes.ts';
import { rewriteReports } from './report-rewrite.ts';
import type { ConfigReport, LongTaskCount } from './report-schema.ts';

type BenchPageHandle = Awaited<ReturnType<BrowserSession['page']>>;

/** Every section the options ask for, on one page of `session`. */
export async function runBrowser(session: BrowserSession, context: BenchContext, collector: BenchCollector): Promise<void> {
  const { options, log } = context;
  const page = await session.page();
  const isolated = await callPage(page, 'crossOriginIsolated');
  const environment = await callPage(page, 'environment');
  log(`chromium: crossOriginIsolated ${isolated}, ${environment.hardwareConcurrency} cores, WebGPU ${environment.webgpu.available ? environment.webgpu.adapterDescription : 'unavailable'}`);
  if (options.sections.has('standard')) await runBrowserStandard(session, page, isolated, context, collector);
  if (options.sections.has('constrained')) await runBrowserConstrained(session, page, context, collector);
  if (options.sections.has('ocr')) await runBrowserOcr(session, page, context, collector);
  if (options.sections.has('speed')) await runBrowserSpeed(session, page, context, collector);
  if (options.gpu) await runBrowserWebGpu(session, page, environment.webgpu, context, collector);
}

/**
 * --gpu: the engine on WebGPU, the app's way (its WebGPU recipe, caches on), load and rewrites of new photos. Refuses
 * to time SwiftShader, a CPU emulation. The generated models have no fp16 files, so the shader-f16 recipe is noted,
 * not run.
 */
async function runBrowserWebGpu(
  session: BrowserSession,
  page: BenchPageHandle,
  gpu: BrowserEnvironment['webgpu'],
  context: BenchContext,
  collector: BenchCollector,
): Promise<void> {
  const { options, model, images, question, log } = context;
  if (!gpu.available || /swiftshader/i.test(gpu.adapterDescription)) {
    const adapter = gpu.available ? gpu.adapterDescription : gpu.reason;
    collector.missing.push({ what: 'WebGPU figures', why: `--gpu was given, but Chromium's adapter here is ${adapter}, not a GPU` });
    return;
  }
  collector.gpu = `${gpu.adapterDescription}${gpu.shaderF16 ? ', shader-f16' : ', no shader-f16'}`;
  if (gpu.shaderF16) {
    collector.missing.push({
      what: 'The WebGPU shader-f16 recipe (q4f16)',
      why: 'the generated benchmark model has no fp16 files; the rows use the WebGPU recipe without f16',
    });
  }
  const dtypes = RECIPES_BY_FAMILY.smolvlm.webgpu;
  const runs = Math.min(options.settings.runs, options.browserRuns);
  log(`chromium: WebGPU on ${collector.gpu} (${runs} rewrites after a warm-up)…`);
  await callPage(page, 'reset');
  const job = { modelId: model.id, dtypes, backend: 'webgpu' as const, imageUrls: images.distinct.slice(0, runs + 1).map(session.imageUrl), question, newTokens: options.settings.newTokens };
  const { result, peakRendererMB } = await session.sampled(() => callPage(page, 'probe', job));
  await callPage(page, 'reset');
  if (result.load.result.backend !== 'webgpu') {
    collector.missing.push({ what: 'WebGPU figures', why: `the engine fell back to ${result.load.result.backend} on ${collector.gpu}` });
    return;
  }
  const config = rewriteConfigReport(`recipe (${describeDtypes(dtypes)})`, dtypes, [result.load.result.loadMs], result.rewrites.slice(1).map((rewrite) => rewrite.result), options.settings.newTokens, {
    peakMemoryMB: peakRendererMB,
    memoryMeasure: 'peak RSS of the renderer processes (GPU memory not included)',
  });
  collector.environments.push({
    name: 'chromium-webgpu',
    backend: 'webgpu',
    threads: null,
    crossOriginIsolated: await callPage(page, 'crossOriginIsolated'),
    configs: [config],
    longTasks: probeLongTasks(result),
  });
}

/** A fresh worker starts onnxruntime-web with one thread; the app's plan gives it as many as it can use. */
const BROWSER_ONE_THREAD: SweptSessionOption = { name: ONE_THREAD_VARIANT, option: 'env.wasm.numThreads = 1', sessionOptions: {} };

/**
 * The recipe and session-option sweeps on the raw loop, then a whole rewrite per reasoning mode on the engine with the
 * WASM recipe. Each sweep runs in a fresh worker; the one-thread run in one of its own.
 */
async function runBrowserSpeed(session: BrowserSession, page: BenchPageHandle, context: BenchContext, collector: BenchCollector): Promise<void> {
  const { options, model, images, question, log } = context;
  const runs = Math.min(options.settings.runs, options.browserRuns);
  const sweep = async (variants: RawLoopVariant[], threads?: number) => {
    await callPage(page, 'reset');
    const job = { modelId: model.id, variants, imageUrl: session.imageUrl(context.firstImage), question, runs, newTokens: options.settings.newTokens, rawShape: model.shape };
    const records = await callPage(page, 'rawSweep', threads === undefined ? job : { ...job, threads });
    await callPage(page, 'reset');
    return records;
  };
  log(`chromium: recipe sweep (${Object.keys(SWEPT_RECIPES).join(', ')}; raw loop, ${runs} runs each), in a fresh worker…`);
  collector.recipes.push(...recipeReports('chromium-wasm', await sweep(recipeVariants())));
  log(`chromium: session-option sweep on the WASM recipe (${[...SWEPT_SESSION_OPTIONS, BROWSER_ONE_THREAD].map((option) => option.name).join(', ')}; raw loop, ${runs} runs each), in fresh workers…`);
  const sessionOptions = [
    ...(await sweep(sessionOptionVariants(SWEPT_SESSION_OPTIONS, WASM_RECIPE_DTYPES))),
    ...(await sweep(sessionOptionVariants([BROWSER_ONE_THREAD], WASM_RECIPE_DTYPES), 1)),
  ];
  collector.sessionOptions.push(...sessionOptionReports('chromium-wasm', sessionOptions, optionTexts([...SWEPT_SESSION_OPTIONS, BROWSER_ONE_THREAD])));
  collector.missing.push({
    what: 'Relaxed SIMD on WASM',
    why:
      'onnxruntime-web ships one fixed-width SIMD build per binding (ort-wasm-simd-threaded{,.asyncify,.jsep,.jspi}.wasm) and no ' +
      "relaxed-SIMD one; env.wasm.simd = 'relaxed' only checks that the browser supports it",
  });
  log(`chromium: a whole rewrite per reasoning mode (${runs} new photos each), in a fresh worker…`);
  const rewrites = await callPage(page, 'rewrites', {
    modelId: model.id,
    dtypes: WASM_RECIPE_DTYPES,
    imageUrls: images.distinct.slice(0, 1 + runs * REASONING_MODES.length).map(session.imageUrl),
    question,
    runs,
  });
  await callPage(page, 'reset');
  collector.rewrites.push(...rewriteReports('chromium-wasm', rewrites, !options.quick));
}

async function runBrowserConstrained(session: BrowserSession, page: BenchPageHandle, context: BenchContext, collector: BenchCollector): Promise<void> {
  const { options, log } = context;
  const runs = Math.min(options.constrained.runs, options.browserRuns);
  log(`chromium: constrained vs unconstrained generation (${options.constrained.loads} loads, ${runs} pairs after a warm-up), in a fresh worker…`);
  await callPage(page, 'reset');
  const records = await callPage(page, 'constrained', {
    modelId: context.model.id,
    dtypes: WASM_RECIPE_DTYPES,
    imageUrl: session.imageUrl(context.firstImage),
    question: context.question,
    ...options.constrained,
    runs,
  });
  await callPage(page, 'reset');
  collector.promptTokens ||= records.promptTokens;
  collector.constrained.push(constrainedReport('chromium-wasm', `recipe (${describeDtypes(WASM_RECIPE_DTYPES)})`, WASM_RECIPE_DTYPES, records));
}

async function runBrowserStandard(
  session: BrowserSession,
  page: BenchPageHandle,
  isolated: boolean,
  context: BenchContext,
  collector: BenchCollector,
): Promise<void> {
  const { options, model, images, question, log } = context;
  const { settings } = options;
  log('chromium: memory and long-task probe (one engine, two rewrites)…');
  const probeJob = {
    modelId: model.id,
    dtypes: WASM_RECIPE_DTYPES,
    backend: 'wasm' as const,
    imageUrls: images.distinct.slice(0, 2).map(session.imageUrl),
    question,
    newTokens: settings.newTokens,
  };
  const { result: browserProbe, peakRendererMB } = await session.sampled(() => callPage(page, 'probe', probeJob));
  await callPage(page, 'reset');

  // The suite runs in two fresh workers, so that no wasm heap (4 GiB at most, one per worker) holds more than three
  // models at once: the engine against the raw loop and the caches, then the preprocessing and prompt-order changes.
  // The vision cache alone is measured in Node only.
  const browserSettings = { ...settings, runs: Math.min(settings.runs, options.browserRuns) };
  const suiteJob = (part: { variants: EngineVariant[]; raw: boolean; order: boolean; sameImage: boolean; loads: number }) => {
    const partSettings = { ...browserSettings, loads: part.loads, orderExperiment: part.order, sameImage: part.sameImage };
    return {
      modelId: model.id,
      dtypes: WASM_RECIPE_DTYPES,
      imageUrls: images.distinct.slice(0, suiteImageCount(partSettings)).map(session.imageUrl),
      questions: BENCH_QUESTIONS,
      ...partSettings,
      variants: part.variants,
      rawShape: part.raw ? model.shape : null,
    };
  };
  log('chromium: suite, part 1 (loads, engine against the raw loop, same-image rewrites)…');
  const firstPart = await callPage(page, 'suite', suiteJob({ variants: ['noCache', 'final'], raw: true, order: false, sameImage: true, loads: browserSettings.loads }));
  await callPage(page, 'reset');
  log('chromium: suite, part 2 (preprocessing and prompt order)…');
  const secondPart = await callPage(page, 'suite', suiteJob({ variants: ['base', 'final'], raw: false, order: true, sameImage: false, loads: 0 }));
  await callPage(page, 'reset');
  const browserSuite = mergeSuiteRecords(firstPart, secondPart);
  const config = suiteConfigReport(`recipe (${describeDtypes(WASM_RECIPE_DTYPES)})`, WASM_RECIPE_DTYPES, browserSuite, settings.newTokens, {
    peakMemoryMB: peakRendererMB,
    memoryMeasure: 'peak RSS of the renderer processes (page + worker + wasm heap), one engine',
  });
  const longTasks = probeLongTasks(browserProbe);
  const browserConfigs: [ConfigReport, ...ConfigReport[]] = [config];
  let fp32Config: ConfigReport | null = null;
  if (options.fp32) {
    log('chromium: fp32 everywhere…');
    const fp32Job = { ...probeJob, dtypes: FP32_DTYPES, imageUrls: images.distinct.slice(0, browserSettings.runs + 1).map(session.imageUrl) };
    const { result: fp32, peakRendererMB: fp32Peak } = await session.sampled(() => callPage(page, 'probe', fp32Job));
    await callPage(page, 'reset');
    fp32Config = rewriteConfigReport(
      'fp32 everywhere',
      FP32_DTYPES,
      [fp32.load.result.loadMs],
      fp32.rewrites.slice(1).map((rewrite) => rewrite.result),
      settings.newTokens,
      { peakMemoryMB: fp32Peak, memoryMeasure: 'peak RSS of the renderer processes' },
    );
    browserConfigs.push(fp32Config);
  }
  collector.environments.push({
    name: 'chromium-wasm',
    backend: browserSuite.backend,
    threads: browserSuite.threads,
    crossOriginIsolated: isolated,
    configs: browserConfigs,
    longTasks,
  });
  const browserRaw = rawLoopComparison('chromium-wasm', WASM_RECIPE_DTYPES, browserSuite);
  if (browserRaw) collector.rawLoop.push(browserRaw);
  collector.optimisations.push(...optimisationReports('chromium-wasm', browserSuite));
  const browserBandwidth = await callPage(page, 'bandwidth', options.quick ? 64 : 256, 3);
  const machineBandwidth = {
    gbPerSecond: context.bandwidth.gbPerSecond,
    method: `${context.bandwidth.method}, in Node (the page alone: ${browserBandwidth.gbPerSecond.toFixed(1)} GB/s, ${browserBandwidth.method})`,
  };
  const rows: Array<[ConfigReport, SessionDtypes]> = [[config, WASM_RECIPE_DTYPES]];
  if (fp32Config) rows.push([fp32Config, FP32_DTYPES]);
  for (const [row, dtypes] of rows) {
    await addBandwidthRow(context, collector, {
      environment: 'chromium-wasm',
      config: row.name,
      dtypes,
      bandwidth: machineBandwidth,
      promptTokens: browserSuite.promptTokens,
      decodeTokensPerSecond: row.decodeTokensPerSecond.median,
    });
  }

  if (options.quick || options.browserOfficial) {
    await runBrowserOfficial(session, page, context, collector);
  } else {
    collector.missing.push({
      what: 'The official-configuration comparison in Chromium',
      why: 'fp32 sessions over 13 tiles take minutes per run in WASM; measured in Node only (--browser-official adds it)',
    });
  }
}

async function runBrowserOfficial(session: BrowserSession, page: BenchPageHandle, context: BenchContext, collector: BenchCollector): Promise<void> {
  const { options } = context;
  context.log('chromium: large photo, ours against the official example\'s configuration…');
  const official = await callPage(page, 'official', {
    modelId: context.model.id,
    ourDtypes: WASM_RECIPE_DTYPES,
    imageUrl: session.imageUrl(context.images.large),
    warmUpImageUrl: session.imageUrl(context.firstImage),
    question: context.question,
    runs: Math.min(options.officialRuns, 2),
    newTokens: options.settings.newTokens,
  });
  collector.officialConfig.push(officialComparison('chromium-wasm', official, WASM_RECIPE_DTYPES, options.settings.newTokens));
  await callPage(page, 'reset');
}

/** The main thread's long tasks during a probe's load, and summed over its rewrites. */
function probeLongTasks(probe: { load: { longTasks: LongTaskCount }; rewrites: Array<{ longTasks: LongTaskCount }> }): { load: LongTaskCount; generate: LongTaskCount } {
  return {
    load: probe.load.longTasks,
    generate: probe.rewrites.reduce(
      (sum, rewrite) => ({
        count: sum.count + rewrite.longTasks.count,
        totalMs: sum.totalMs + rewrite.longTasks.totalMs,
        longestMs: Math.max(sum.longestMs, rewrite.longTasks.longestMs),
      }),
      { count: 0, totalMs: 0, longestMs: 0 },
    ),
  };
}
