/**
 * npm run bench [-- --quick] [options]: load time, vision encoding, time to first token, decode speed and peak memory
 * of the rewriter engine in Node (onnxruntime-node) and headless Chromium (WASM), side by side with a raw onnxruntime
 * loop, the official example's configuration and the memory-bandwidth limit, plus the before/after of each speed-up.
 * Writes bench-results/bench-<mode>.{json,md} and prints the Markdown.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeTinyModel } from '../tiny-model/write-model-folder.ts';
import {
  bandwidthComparison,
  constrainedReport,
  describeDtypes,
  officialComparison,
  optimisationReports,
  rawLoopComparison,
  rewriteConfigReport,
  suiteConfigReport,
} from './bench-analysis.ts';
import { FP32_DTYPES, kvBytesPerPosition, onnxFileName, RECIPE_DTYPES, rawModelShape } from './bench-model.ts';
import { writeBenchImages } from './bench-images.ts';
import { MODELS_DIR, REALISTIC_MODEL_DIR, REALISTIC_MODEL_ID, REPO_ROOT, RESULTS_DIR, TINY_MODEL_ID } from './bench-paths.ts';
import { BENCH_QUESTIONS } from './bench-prompts.ts';
import { callPage, startBrowserSession, type BrowserSession } from './browser-bench.ts';
import type { SuiteRecords } from './engine-suite.ts';
import { mergeSuiteRecords, suiteImageCount, type EngineVariant } from './engine-suite.ts';
import { locateChromium } from '../lib/chromium.ts';
import { measureMemoryBandwidth, type BandwidthMeasurement } from './memory-bandwidth.ts';
import { runNodeJob } from './node-bench.ts';
import type { ProbeRecords } from './node-runner.ts';
import type { OfficialComparisonRecords } from './official-config.ts';
import { DIFFERENCES_FROM_REAL_EXPORT, SMOLVLM_256M_DIMS, writeRealisticModel } from './realistic-model.ts';
import { renderMarkdown } from './report-markdown.ts';
import {
  BENCH_SECTIONS,
  REPORT_SCHEMA_VERSION,
  validateBenchReport,
  type BenchReport,
  type BenchSection,
  type ConfigReport,
  type EnvironmentReport,
} from './report-schema.ts';
import type { ConstrainedSuiteRecords } from './constrained-suite.ts';
import { DEFAULT_MAX_NEW_TOKENS } from '../../src/core/rewrite-prompt.ts';
import { defined } from './defined.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    loads: { type: 'string' },
    tokens: { type: 'string' },
    'cache-tokens': { type: 'string' },
    'official-runs': { type: 'string' },
    'browser-runs': { type: 'string' },
    'no-browser': { type: 'boolean', default: false },
    'no-node': { type: 'boolean', default: false },
    'no-fp32': { type: 'boolean', default: false },
    'browser-official': { type: 'boolean', default: false },
    only: { type: 'string' },
    'constrained-runs': { type: 'string' },
    'constrained-loads': { type: 'string' },
    'constrained-tokens': { type: 'string' },
    out: { type: 'string', default: RESULTS_DIR },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(`npm run bench -- [--quick] [--runs N] [--loads N] [--tokens N] [--cache-tokens N] [--official-runs N]
  [--browser-runs N] [--no-browser] [--no-node] [--no-fp32] [--browser-official] [--out DIR]
  [--only standard|constrained] [--constrained-runs N] [--constrained-loads N] [--constrained-tokens N]
--quick: the tiny test model, two runs of everything, in well under a minute (CI).
--only: run one section: 'standard' (everything but the constrained rows) or 'constrained' (constrained vs
  unconstrained generation); the report is then bench-<mode>-<section>.{json,md}, beside the full one.
--no-node: Chromium alone (the report is then bench-<mode>[-<section>]-chromium.{json,md}).
--constrained-runs / --constrained-loads: pairs (a constrained run, an unconstrained one of the same length) and loads (each
  timing the vocabulary table) of the constrained section; the browser runs at most --browser-runs pairs.
--constrained-tokens: the output limit the format plan is built for (default ${DEFAULT_MAX_NEW_TOKENS}, the app's).`);
  process.exit(0);
}

const quick = values.quick;
const integer = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Math.max(1, Number.parseInt(value, 10)));
const settings = {
  runs: integer(values.runs, quick ? 2 : 5),
  loads: integer(values.loads, quick ? 1 : 2),
  newTokens: integer(values.tokens, quick ? 8 : 64),
  cacheTokens: integer(values['cache-tokens'], quick ? 4 : 8),
};
const constrainedSettings = {
  runs: integer(values['constrained-runs'], quick ? 2 : 3),
  loads: integer(values['constrained-loads'], quick ? 2 : 3),
  maxNewTokens: integer(values['constrained-tokens'], DEFAULT_MAX_NEW_TOKENS),
};
if (values.only !== undefined && !(BENCH_SECTIONS as readonly string[]).includes(values.only)) {
  throw new Error(`--only ${values.only}: expected one of ${BENCH_SECTIONS.join(', ')}`);
}
const sections = new Set<BenchSection>(values.only === undefined ? BENCH_SECTIONS : [values.only as BenchSection]);
const officialRuns = integer(values['official-runs'], quick ? 2 : 3);
const browserRuns = integer(values['browser-runs'], quick ? 2 : 3);
const outDir = resolve(values.out);
const started = performance.now();
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
const missing: BenchReport['missing'] = [];

// 1. The model.
const modelId = quick ? TINY_MODEL_ID : REALISTIC_MODEL_ID;
const modelDir = `${MODELS_DIR}${modelId}`;
if (quick) {
  await writeTinyModel({ outDir: modelDir });
} else {
  log('checking the realistic-size model (npm run models:realistic writes it; about a minute the first time)…');
  await writeRealisticModel({ outDir: REALISTIC_MODEL_DIR });
}
const config = JSON.parse(await readFile(join(modelDir, 'config.json'), 'utf8')) as unknown;
const shape = rawModelShape(config);
const fileBytes = async (file: string) => (await stat(join(modelDir, file))).size;

// 2. Images: distinct photos for every cold rewrite, and one large photo.
const imageDir = join(outDir, '.images', quick ? 'quick' : 'full');
const suiteImages = suiteImageCount({ ...settings, orderExperiment: true });
const images = await writeBenchImages(
  imageDir,
  Math.max(suiteImages, settings.runs + 3),
  quick ? { width: 256, height: 192 } : { width: 1024, height: 768 },
);
const firstImage = defined(images.distinct[0], 'a test image');
log(`${images.distinct.length} test images in ${imageDir}`);

// 3. Memory bandwidth, measured now, on this machine.
const bandwidth: BandwidthMeasurement = await measureMemoryBandwidth(quick ? 64 : 256, quick ? 3 : 5);
log(`memory bandwidth: ${bandwidth.gbPerSecond.toFixed(1)} GB/s (${bandwidth.method})`);

// 4. Node.
const question = BENCH_QUESTIONS[0];
const variants: EngineVariant[] = ['base', 'noCache', 'visionCache', 'final'];
const environments: EnvironmentReport[] = [];
const rawLoop: BenchReport['comparisons']['rawLoop'] = [];
const officialConfig: BenchReport['comparisons']['officialConfig'] = [];
const bandwidthRows: BenchReport['comparisons']['bandwidth'] = [];
const optimisations: BenchReport['optimisations'] = [];
const constrainedRows: BenchReport['constrained'] = [];
const decoderBytes = async (dtypes: typeof RECIPE_DTYPES) => fileBytes(onnxFileName('decoder_model_merged', dtypes));
const addBandwidthRow = async (environment: string, configName: string, dtypes: typeof RECIPE_DTYPES, speed: number, promptTokens: number) => {
  bandwidthRows.push(
    bandwidthComparison({
      environment,
      config: configName,
      bandwidth,
      decoderBytes: await decoderBytes(dtypes),
      kvBytesPerPosition: kvBytesPerPosition(shape),
      promptTokens,
      newTokens: settings.newTokens,
      decodeTokensPerSecond: speed,
    }),
  );
};

let promptTokens = 0;
const node = !values['no-node'];
if (!node) missing.push({ what: 'Node figures', why: '--no-node was given' });
if (node && sections.has('standard')) {
  log('node: memory probe (one engine, two rewrites)…');
  const probe = await runNodeJob(
    { kind: 'probe', modelId, dtypes: RECIPE_DTYPES, images: images.distinct.slice(0, 2), question, newTokens: settings.newTokens },
    log,
  );
  log('node: suite (loads, cold rewrites against the raw loop, same-image rewrites)…');
  const nodeSuite = await runNodeJob(
    {
      kind: 'suite',
      modelId,
      dtypes: RECIPE_DTYPES,
      images: images.distinct.slice(0, suiteImages),
      questions: BENCH_QUESTIONS,
      ...settings,
      variants,
      orderExperiment: true,
      raw: true,
    },
    log,
  );
  const suite = nodeSuite.records as SuiteRecords;
  promptTokens = suite.promptTokens;
  const nodeConfigs: [ConfigReport, ...ConfigReport[]] = [
    suiteConfigReport(`recipe (${describeDtypes(RECIPE_DTYPES)})`, RECIPE_DTYPES, suite, settings.newTokens, {
      peakMemoryMB: probe.maxRssBytes / 2 ** 20,
      memoryMeasure: 'peak RSS of a process that loads and rewrites twice',
    }),
  ];
  await addBandwidthRow('node', nodeConfigs[0].name, RECIPE_DTYPES, nodeConfigs[0].decodeTokensPerSecond.median, promptTokens);
  if (!values['no-fp32']) {
    log('node: fp32 everywhere…');
    const fp32 = await runNodeJob(
      { kind: 'probe', modelId, dtypes: FP32_DTYPES, images: images.distinct.slice(0, settings.runs + 1), question, newTokens: settings.newTokens },
      log,
    );
    const records = fp32.records as ProbeRecords;
    const row = rewriteConfigReport('fp32 everywhere', FP32_DTYPES, [records.loadMs], records.rewrites.slice(1), settings.newTokens, {
      peakMemoryMB: fp32.maxRssBytes / 2 ** 20,
      memoryMeasure: 'peak RSS of the process',
    });
    nodeConfigs.push(row);
    await addBandwidthRow('node', row.name, FP32_DTYPES, row.decodeTokensPerSecond.median, promptTokens);
  }
  environments.push({ name: 'node', backend: suite.backend, threads: null, crossOriginIsolated: null, configs: nodeConfigs, longTasks: null });
  const nodeRaw = rawLoopComparison('node', RECIPE_DTYPES, suite);
  if (nodeRaw) rawLoop.push(nodeRaw);
  optimisations.push(...optimisationReports('node', suite));

  log(`node: large photo (${images.largeSize.width}×${images.largeSize.height}), ours against the official example's configuration…`);
  const nodeOfficial = await runNodeJob(
    {
      kind: 'official',
      modelId,
      ourDtypes: RECIPE_DTYPES,
      image: images.large,
      warmUpImage: firstImage,
      question,
      runs: officialRuns,
      newTokens: settings.newTokens,
    },
    log,
  );
  officialConfig.push(officialComparison('node', nodeOfficial.records as OfficialComparisonRecords, RECIPE_DTYPES, settings.newTokens));
}

if (node && sections.has('constrained')) {
  log(`node: constrained vs unconstrained generation (${constrainedSettings.loads} loads, ${constrainedSettings.runs} pairs after a warm-up)…`);
  const job = await runNodeJob(
    {
      kind: 'constrained',
      modelId,
      dtypes: RECIPE_DTYPES,
      image: firstImage,
      question,
      ...constrainedSettings,
    },
    log,
  );
  const records = job.records as ConstrainedSuiteRecords;
  promptTokens ||= records.promptTokens;
  constrainedRows.push(constrainedReport('node', `recipe (${describeDtypes(RECIPE_DTYPES)})`, RECIPE_DTYPES, records));
}

// 5. Chromium.
let chromiumVersion: string | null = null;
const chromium = locateChromium();
if (values['no-browser'] || !chromium) {
  const why = values['no-browser'] ? '--no-browser was given' : 'no Chromium found (set CHROMIUM_PATH)';
  missing.push({ what: 'Chromium (WASM) figures', why });
} else {
  const session: BrowserSession = await startBrowserSession(imageDir, log);
  chromiumVersion = `Chromium ${session.chromiumVersion}`;
  try {
    await runBrowser(session);
  } finally {
    await session.close();
  }
}
for (const section of BENCH_SECTIONS.filter((name) => !sections.has(name))) {
  const what = section === 'standard' ? 'Everything but the constrained-generation rows' : 'The constrained-generation rows';
  missing.push({ what, why: `--only ${values.only} was given` });
}
missing.push({
  what: 'WebGPU figures',
  why: 'no GPU on this machine: headless Chromium offers no adapter, or SwiftShader (a CPU emulation) with --enable-unsafe-webgpu, which is never timed',
});

async function runBrowser(session: BrowserSession): Promise<void> {
  const page = await session.page();
  const isolated = await callPage(page, 'crossOriginIsolated');
  const environment = await callPage(page, 'environment');
  log(`chromium: crossOriginIsolated ${isolated}, ${environment.hardwareConcurrency} cores, WebGPU ${environment.webgpu.available ? environment.webgpu.adapterDescription : 'unavailable'}`);
  if (sections.has('standard')) await runBrowserStandard(session, page, isolated);
  if (sections.has('constrained')) await runBrowserConstrained(session, page);
}

type BenchPageHandle = Awaited<ReturnType<BrowserSession['page']>>;

async function runBrowserConstrained(session: BrowserSession, page: BenchPageHandle): Promise<void> {
  const runs = Math.min(constrainedSettings.runs, browserRuns);
  log(`chromium: constrained vs unconstrained generation (${constrainedSettings.loads} loads, ${runs} pairs after a warm-up), in a fresh worker…`);
  await callPage(page, 'reset');
  const records = await callPage(page, 'constrained', {
    modelId,
    dtypes: RECIPE_DTYPES,
    imageUrl: session.imageUrl(firstImage),
    question,
    ...constrainedSettings,
    runs,
  });
  await callPage(page, 'reset');
  promptTokens ||= records.promptTokens;
  constrainedRows.push(constrainedReport('chromium-wasm', `recipe (${describeDtypes(RECIPE_DTYPES)})`, RECIPE_DTYPES, records));
}

async function runBrowserStandard(session: BrowserSession, page: BenchPageHandle, isolated: boolean): Promise<void> {
  log('chromium: memory and long-task probe (one engine, two rewrites)…');
  const probeJob = {
    modelId,
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
  const browserSettings = { ...settings, runs: Math.min(settings.runs, browserRuns) };
  const suiteJob = (part: { variants: EngineVariant[]; raw: boolean; order: boolean; sameImage: boolean; loads: number }) => {
    const partSettings = { ...browserSettings, loads: part.loads, orderExperiment: part.order, sameImage: part.sameImage };
    return {
      modelId,
      dtypes: RECIPE_DTYPES,
      imageUrls: images.distinct.slice(0, suiteImageCount(partSettings)).map(session.imageUrl),
      questions: BENCH_QUESTIONS,
      ...partSettings,
      variants: part.variants,
      rawShape: part.raw ? shape : null,
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
  if (!values['no-fp32']) {
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
  environments.push({
    name: 'chromium-wasm',
    backend: browserSuite.backend,
    threads: browserSuite.threads,
    crossOriginIsolated: isolated,
    configs: browserConfigs,
    longTasks,
  });
  const browserRaw = rawLoopComparison('chromium-wasm', RECIPE_DTYPES, browserSuite);
  if (browserRaw) rawLoop.push(browserRaw);
  optimisations.push(...optimisationReports('chromium-wasm', browserSuite));
  const browserBandwidth = await callPage(page, 'bandwidth', quick ? 64 : 256, 3);
  const machineBandwidth = {
    gbPerSecond: bandwidth.gbPerSecond,
    method: `${bandwidth.method}, in Node (the page alone: ${browserBandwidth.gbPerSecond.toFixed(1)} GB/s, ${browserBandwidth.method})`,
  };
  for (const [row, dtypes] of [[config, RECIPE_DTYPES], ...(fp32Config ? [[fp32Config, FP32_DTYPES] as const] : [])] as const) {
    bandwidthRows.push(
      bandwidthComparison({
        environment: 'chromium-wasm',
        config: row.name,
        bandwidth: machineBandwidth,
        decoderBytes: await decoderBytes(dtypes),
        kvBytesPerPosition: kvBytesPerPosition(shape),
        promptTokens: browserSuite.promptTokens,
        newTokens: settings.newTokens,
        decodeTokensPerSecond: row.decodeTokensPerSecond.median,
      }),
    );
  }

  if (quick || values['browser-official']) {
    log('chromium: large photo, ours against the official example\'s configuration…');
    const official = await callPage(page, 'official', {
      modelId,
      ourDtypes: RECIPE_DTYPES,
      imageUrl: session.imageUrl(images.large),
      warmUpImageUrl: session.imageUrl(firstImage),
      question,
      runs: Math.min(officialRuns, 2),
      newTokens: settings.newTokens,
    });
    officialConfig.push(officialComparison('chromium-wasm', official, RECIPE_DTYPES, settings.newTokens));
    await callPage(page, 'reset');
  } else {
    missing.push({
      what: 'The official-configuration comparison in Chromium',
      why: 'fp32 sessions over 13 tiles take minutes per run in WASM; measured in Node only (--browser-official adds it)',
    });
  }
}

// 6. The report.
const packages: Record<string, string> = {};
for (const name of ['@huggingface/transformers', 'onnxruntime-node', 'onnxruntime-web']) {
  packages[name] = (JSON.parse(await readFile(`${REPO_ROOT}node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
}
const onnxFiles = ['embed_tokens', 'vision_encoder', 'decoder_model_merged'].flatMap((session) => [`onnx/${session}.onnx`, `onnx/${session}_q4.onnx`]);
const report: BenchReport = {
  schemaVersion: REPORT_SCHEMA_VERSION,
  createdAt: new Date().toISOString(),
  command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
  mode: quick ? 'quick' : 'full',
  sections: BENCH_SECTIONS.filter((section) => sections.has(section)),
  durationS: (performance.now() - started) / 1000,
  machine: {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    chromium: chromiumVersion,
    packages,
    gpu: null,
    loadAverage: loadavg(),
  },
  model: {
    id: modelId,
    kind: quick ? 'tiny' : 'realistic',
    dims: quick ? null : { ...SMOLVLM_256M_DIMS },
    files: await Promise.all(onnxFiles.map(async (path) => ({ path, bytes: await fileBytes(path) }))),
    promptTokens,
    differencesFromRealExport: quick ? [] : DIFFERENCES_FROM_REAL_EXPORT,
  },
  settings: { ...settings, image: images.size },
  environments,
  comparisons: { rawLoop, officialConfig, bandwidth: bandwidthRows },
  optimisations,
  constrained: constrainedRows,
  missing,
};
const errors = validateBenchReport(report);
if (errors.length > 0) throw new Error(`the report does not match its schema:\n${errors.join('\n')}`);
await mkdir(outDir, { recursive: true });
// A partial run (one section, or Chromium alone) never overwrites the full report.
const base = join(outDir, `bench-${report.mode}${values.only === undefined ? '' : `-${values.only}`}${node ? '' : '-chromium'}`);
await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
const markdown = renderMarkdown(report);
await writeFile(`${base}.md`, markdown);
console.log(markdown);
log(`wrote ${base}.json and ${base}.md`);
process.exit(0);
