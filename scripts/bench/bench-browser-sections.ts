/** The Chromium half of `npm run bench`: the benchmark page (browser/) runs the engine on WASM in its worker. */
import type { SessionDtypes } from '../../src/core/model-catalog.ts';
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
import { FP32_DTYPES, RECIPE_DTYPES } from './bench-model.ts';
import { BENCH_QUESTIONS } from './bench-prompts.ts';
import { runBrowserOcr } from './bench-ocr-sections.ts';
import { callPage, type BrowserSession } from './browser-bench.ts';
import { mergeSuiteRecords, suiteImageCount, type EngineVariant } from './engine-suite.ts';
import type { ConfigReport } from './report-schema.ts';

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
}

async function runBrowserConstrained(session: BrowserSession, page: BenchPageHandle, context: BenchContext, collector: BenchCollector): Promise<void> {
  const { options, log } = context;
  const runs = Math.min(options.constrained.runs, options.browserRuns);
  log(`chromium: constrained vs unconstrained generation (${options.constrained.loads} loads, ${runs} pairs after a warm-up), in a fresh worker…`);
  await callPage(page, 'reset');
  const records = await callPage(page, 'constrained', {
    modelId: context.model.id,
    dtypes: RECIPE_DTYPES,
    imageUrl: session.imageUrl(context.firstImage),
    question: context.question,
    ...options.constrained,
    runs,
  });
  await callPage(page, 'reset');
  collector.promptTokens ||= records.promptTokens;
  collector.constrained.push(constrainedReport('chromium-wasm', `recipe (${describeDtypes(RECIPE_DTYPES)})`, RECIPE_DTYPES, records));
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
    dtypes: RECIPE_DTYPES,
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
      dtypes: RECIPE_DTYPES,
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
  const config = suiteConfigReport(`recipe (${describeDtypes(RECIPE_DTYPES)})`, RECIPE_DTYPES, browserSuite, settings.newTokens, {
    peakMemoryMB: peakRendererMB,
    memoryMeasure: 'peak RSS of the renderer processes (page + worker + wasm heap), one engine',
  });
  const longTasks = {
    load: browserProbe.load.longTasks,
    generate: browserProbe.rewrites.reduce(
      (sum, rewrite) => ({
        count: sum.count + rewrite.longTasks.count,
        totalMs: sum.totalMs + rewrite.longTasks.totalMs,
        longestMs: Math.max(sum.longestMs, rewrite.longTasks.longestMs),
      }),
      { count: 0, totalMs: 0, longestMs: 0 },
    ),
  };
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
  const browserRaw = rawLoopComparison('chromium-wasm', RECIPE_DTYPES, browserSuite);
  if (browserRaw) collector.rawLoop.push(browserRaw);
  collector.optimisations.push(...optimisationReports('chromium-wasm', browserSuite));
  const browserBandwidth = await callPage(page, 'bandwidth', options.quick ? 64 : 256, 3);
  const machineBandwidth = {
    gbPerSecond: context.bandwidth.gbPerSecond,
    method: `${context.bandwidth.method}, in Node (the page alone: ${browserBandwidth.gbPerSecond.toFixed(1)} GB/s, ${browserBandwidth.method})`,
  };
  const rows: Array<[ConfigReport, SessionDtypes]> = [[config, RECIPE_DTYPES]];
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
    ourDtypes: RECIPE_DTYPES,
    imageUrl: session.imageUrl(context.images.large),
    warmUpImageUrl: session.imageUrl(context.firstImage),
    question: context.question,
    runs: Math.min(options.officialRuns, 2),
    newTokens: options.settings.newTokens,
  });
  collector.officialConfig.push(officialComparison('chromium-wasm', official, RECIPE_DTYPES, options.settings.newTokens));
  await callPage(page, 'reset');
}
