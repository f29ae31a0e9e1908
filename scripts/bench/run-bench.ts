/**
 * npm run bench [-- --quick] [options]: load time, vision encoding, time to first token, decode speed and peak memory
 * of the rewriter engine in Node (onnxruntime-node) and headless Chromium (WASM), side by side with a raw onnxruntime
 * loop, the official example's configuration and the memory-bandwidth limit, plus the before/after of each speed-up.
 * Writes bench-results/bench-<mode>.{json,md} and prints the Markdown.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { writeTinyModel } from '../tiny-model/write-model-folder.ts';
import { REPORT_SEED } from '../ocr-test-set/cases.ts';
import { testSetFolder, writeTestSet } from '../ocr-test-set/test-set.ts';
import { locateChromium } from '../lib/chromium.ts';
import { runBrowser } from './bench-browser-sections.ts';
import { emptyCollector, modelFileBytes, type BenchCollector, type BenchContext, type BenchModel } from './bench-context.ts';
import { writeBenchImages } from './bench-images.ts';
import { rawModelShape } from './bench-model.ts';
import { runNodeConstrained, runNodeSpeed, runNodeStandard } from './bench-node-sections.ts';
import { runNodeOcr } from './bench-ocr-sections.ts';
import { BENCH_HELP, parseBenchOptions, type BenchOptions } from './bench-options.ts';
import { MODELS_DIR, REALISTIC_MODEL_DIR, REALISTIC_MODEL_ID, REPO_ROOT, TINY_MODEL_ID } from './bench-paths.ts';
import { BENCH_QUESTIONS } from './bench-prompts.ts';
import { startBrowserSession } from './browser-bench.ts';
import { suiteImageCount } from './engine-suite.ts';
import { measureMemoryBandwidth } from './memory-bandwidth.ts';
import { measureMainThreadBundle } from './bundle-size.ts';
import { DIFFERENCES_FROM_REAL_EXPORT, SMOLVLM_256M_DIMS, writeRealisticModel } from './realistic-model.ts';
import { renderMarkdown } from './report-markdown.ts';
import { BENCH_SECTIONS, REPORT_SCHEMA_VERSION, validateBenchReport, type BenchReport } from './report-schema.ts';
import { defined } from './defined.ts';
import { REASONING_MODES } from '../../src/core/reasoning-mode.ts';

/** What each section's rows are, for the report's "Not measured" list. */
const SECTION_DESCRIPTIONS = {
  standard: 'Everything but the constrained-generation, OCR, recipe and whole-rewrite rows',
  constrained: 'The constrained-generation rows',
  ocr: 'The OCR rows',
  speed: 'The recipe sweep and the whole rewrite per reasoning mode',
} as const satisfies Record<(typeof BENCH_SECTIONS)[number], string>;

const args = process.argv.slice(2);
const parsed = parseBenchOptions(args);
if (parsed === 'help') {
  console.log(BENCH_HELP);
  process.exit(0);
}
const options: BenchOptions = parsed;
const started = performance.now();
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

// 1. The model.
const model = await prepareModel(options.quick, log);

// 2. Images: distinct photos for every cold rewrite, and one large photo.
const imageDir = join(options.outDir, '.images', options.quick ? 'quick' : 'full');
const images = await writeBenchImages(
  imageDir,
  Math.max(suiteImageCount({ ...options.settings, orderExperiment: true }), options.settings.runs + 3, 1 + options.settings.runs * REASONING_MODES.length),
  options.quick ? { width: 256, height: 192 } : { width: 1024, height: 768 },
);
const firstImage = defined(images.distinct[0], 'a test image');
log(`${images.distinct.length} test images in ${imageDir}`);

// 3. Memory bandwidth, measured now, on this machine.
const bandwidth = await measureMemoryBandwidth(options.quick ? 64 : 256, options.quick ? 3 : 5);
log(`memory bandwidth: ${bandwidth.gbPerSecond.toFixed(1)} GB/s (${bandwidth.method})`);

// 3b. The typographic OCR test set (the report seed; the tuning seed is never reported).
let ocrTestSet: BenchContext['ocrTestSet'] = null;
if (options.sections.has('ocr')) {
  const dir = testSetFolder(join(options.outDir, '.ocr-test-set'), REPORT_SEED, options.quick);
  ocrTestSet = { dir, manifest: await writeTestSet({ seed: REPORT_SEED, quick: options.quick, outDir: dir }) };
  log(`${ocrTestSet.manifest.images.length} OCR test images in ${dir}`);
}

const context: BenchContext = { options, model, images, firstImage, question: BENCH_QUESTIONS[0], bandwidth, ocrTestSet, log };
const collector = emptyCollector();

// 4. Node.
if (!options.node) collector.missing.push({ what: 'Node figures', why: '--no-node was given' });
if (options.node && options.sections.has('standard')) await runNodeStandard(context, collector);
if (options.node && options.sections.has('constrained')) await runNodeConstrained(context, collector);
if (options.node && options.sections.has('ocr')) await runNodeOcr(context, collector);
if (options.node && options.sections.has('speed')) await runNodeSpeed(context, collector);

// 5. Chromium, and the page's own JavaScript.
const chromiumVersion = await runChromium(context, collector, imageDir);
if (options.sections.has('standard') && !options.quick) {
  log('building the app to size its main-thread JavaScript (vite build)…');
  collector.bundle = await measureMainThreadBundle();
} else if (options.sections.has('standard')) {
  collector.missing.push({ what: 'The main-thread JavaScript size', why: '--quick skips the production build' });
}
for (const section of BENCH_SECTIONS.filter((name) => !options.sections.has(name))) {
  const what = SECTION_DESCRIPTIONS[section];
  collector.missing.push({ what, why: `--only ${options.only} was given` });
}
if (!options.gpu) {
  collector.missing.push({
    what: 'WebGPU figures',
    why: '--gpu was not given (on a machine with a GPU, scripts/gpu-check.sh runs it); SwiftShader, the CPU emulation headless Chromium falls back to, is never timed',
  });
}

// 6. The report.
const report = await assembleReport(context, collector, { args, durationS: (performance.now() - started) / 1000, chromiumVersion });
const errors = validateBenchReport(report);
if (errors.length > 0) throw new Error(`the report does not match its schema:\n${errors.join('\n')}`);
await mkdir(options.outDir, { recursive: true });
// A partial run (one section, or Chromium alone) never overwrites the full report.
const base = join(options.outDir, `bench-${report.mode}${options.only === undefined ? '' : `-${options.only}`}${options.node ? '' : '-chromium'}`);
await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
const markdown = renderMarkdown(report);
await writeFile(`${base}.md`, markdown);
console.log(markdown);
log(`wrote ${base}.json and ${base}.md`);
process.exit(0);

/** The tiny test model (--quick) or the realistic-size one, written if it is not there yet. */
async function prepareModel(quick: boolean, log: (line: string) => void): Promise<BenchModel> {
  const id = quick ? TINY_MODEL_ID : REALISTIC_MODEL_ID;
  const dir = `${MODELS_DIR}${id}`;
  if (quick) {
    await writeTinyModel({ outDir: dir });
  } else {
    log('checking the realistic-size model (npm run models:realistic writes it; about a minute the first time)…');
    await writeRealisticModel({ outDir: REALISTIC_MODEL_DIR });
  }
  const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as unknown;
  return { id, dir, shape: rawModelShape(config) };
}

/** Starts Chromium, runs its sections, and returns its version; null, with the reason in `missing`, when it cannot run. */
async function runChromium(context: BenchContext, collector: BenchCollector, imageDir: string): Promise<string | null> {
  const chromium = locateChromium();
  if (!context.options.browser || !chromium) {
    const why = context.options.browser ? 'no Chromium found (set CHROMIUM_PATH)' : '--no-browser was given';
    collector.missing.push({ what: 'Chromium (WASM) figures', why });
    return null;
  }
  const session = await startBrowserSession(imageDir, context.log, context.ocrTestSet?.dir ?? null, context.options.gpu);
  try {
    await runBrowser(session, context, collector);
  } finally {
    await session.close();
  }
  return `Chromium ${session.chromiumVersion}`;
}

async function assembleReport(
  { options, model, images }: BenchContext,
  collected: BenchCollector,
  run: { args: string[]; durationS: number; chromiumVersion: string | null },
): Promise<BenchReport> {
  const { quick } = options;
  const packages: Record<string, string> = {};
  for (const name of ['@huggingface/transformers', 'onnxruntime-node', 'onnxruntime-web']) {
    packages[name] = (JSON.parse(await readFile(`${REPO_ROOT}node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
  }
  const onnxFiles = ['embed_tokens', 'vision_encoder', 'decoder_model_merged'].flatMap((session) => ['', '_quantized', '_q4'].map((suffix) => `onnx/${session}${suffix}.onnx`));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    command: ['npm run bench', ...(run.args.length > 0 ? ['--', ...run.args] : [])].join(' '),
    mode: quick ? 'quick' : 'full',
    sections: BENCH_SECTIONS.filter((section) => options.sections.has(section)),
    durationS: run.durationS,
    machine: {
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${type()} ${release()}`,
      node: process.version,
      chromium: run.chromiumVersion,
      packages,
      gpu: collector.gpu,
      loadAverage: loadavg(),
    },
    model: {
      id: model.id,
      kind: quick ? 'tiny' : 'realistic',
      dims: quick ? null : { ...SMOLVLM_256M_DIMS },
      files: await Promise.all(onnxFiles.map(async (path) => ({ path, bytes: await modelFileBytes(model, path) }))),
      promptTokens: collected.promptTokens,
      differencesFromRealExport: quick ? [] : DIFFERENCES_FROM_REAL_EXPORT,
    },
    settings: { ...options.settings, image: images.size },
    environments: collected.environments,
    comparisons: { rawLoop: collected.rawLoop, officialConfig: collected.officialConfig, bandwidth: collected.bandwidth },
    optimisations: collected.optimisations,
    constrained: collected.constrained,
    ocr: collected.ocr,
    recipes: collected.recipes,
    sessionOptions: collected.sessionOptions,
    rewrites: collected.rewrites,
    bundle: collected.bundle,
    missing: collected.missing,
  };
}
