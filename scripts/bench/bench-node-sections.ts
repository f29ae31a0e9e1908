/** The Node half of `npm run bench`: every measurement runs in a fresh process (node-bench.ts) on onnxruntime-node. */
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
import { FP32_DTYPES, NODE_RECIPE_DTYPES } from './bench-model.ts';
import { BENCH_QUESTIONS } from './bench-prompts.ts';
import type { ConstrainedSuiteRecords } from './constrained-suite.ts';
import { suiteImageCount, type EngineVariant, type SuiteRecords } from './engine-suite.ts';
import { runNodeJob } from './node-bench.ts';
import type { ProbeRecords } from './node-runner.ts';
import type { OfficialComparisonRecords } from './official-config.ts';
import { REASONING_MODES } from '../../src/core/reasoning-mode.ts';
import {
  ONE_THREAD_VARIANT,
  optionTexts,
  recipeVariants,
  sessionOptionVariants,
  SWEPT_RECIPES,
  SWEPT_SESSION_OPTIONS,
  type RawLoopVariant,
  type RawLoopVariantRecords,
  type SweptSessionOption,
} from './recipe-suite.ts';
import { recipeReports, sessionOptionReports } from './report-recipes.ts';
import { rewriteReports } from './report-rewrite.ts';
import type { ConfigReport } from './report-schema.ts';
import type { RewriteRunRecord } from './rewrite-suite.ts';

const VARIANTS: EngineVariant[] = ['base', 'noCache', 'visionCache', 'final'];

/** The memory probe, the suite against the raw loop, fp32 everywhere and the official example's configuration. */
export async function runNodeStandard(context: BenchContext, collector: BenchCollector): Promise<void> {
  const { options, model, images, question, log } = context;
  const { settings } = options;
  log('node: memory probe (one engine, two rewrites)…');
  const probe = await runNodeJob(
    { kind: 'probe', modelId: model.id, dtypes: NODE_RECIPE_DTYPES, images: images.distinct.slice(0, 2), question, newTokens: settings.newTokens },
    log,
  );
  log('node: suite (loads, cold rewrites against the raw loop, same-image rewrites)…');
  const nodeSuite = await runNodeJob(
    {
      kind: 'suite',
      modelId: model.id,
      dtypes: NODE_RECIPE_DTYPES,
      images: images.distinct.slice(0, suiteImageCount({ ...settings, orderExperiment: true })),
      questions: BENCH_QUESTIONS,
      ...settings,
      variants: VARIANTS,
      orderExperiment: true,
      raw: true,
    },
    log,
  );
  const suite = nodeSuite.records as SuiteRecords;
  collector.promptTokens = suite.promptTokens;
  const nodeConfigs: [ConfigReport, ...ConfigReport[]] = [
    suiteConfigReport(`recipe (${describeDtypes(NODE_RECIPE_DTYPES)})`, NODE_RECIPE_DTYPES, suite, settings.newTokens, {
      peakMemoryMB: probe.maxRssBytes / 2 ** 20,
      memoryMeasure: 'peak RSS of a process that loads and rewrites twice',
    }),
  ];
  await addNodeBandwidthRow(context, collector, nodeConfigs[0], NODE_RECIPE_DTYPES, suite.promptTokens);
  if (options.fp32) {
    const row = await runNodeFp32(context);
    nodeConfigs.push(row);
    await addNodeBandwidthRow(context, collector, row, FP32_DTYPES, suite.promptTokens);
  }
  collector.environments.push({ name: 'node', backend: suite.backend, threads: null, crossOriginIsolated: null, configs: nodeConfigs, longTasks: null });
  const nodeRaw = rawLoopComparison('node', NODE_RECIPE_DTYPES, suite);
  if (nodeRaw) collector.rawLoop.push(nodeRaw);
  collector.optimisations.push(...optimisationReports('node', suite));

  log(`node: large photo (${images.largeSize.width}×${images.largeSize.height}), ours against the official example's configuration…`);
  const nodeOfficial = await runNodeJob(
    {
      kind: 'official',
      modelId: model.id,
      ourDtypes: NODE_RECIPE_DTYPES,
      image: images.large,
      warmUpImage: context.firstImage,
      question,
      runs: options.officialRuns,
      newTokens: settings.newTokens,
    },
    log,
  );
  collector.officialConfig.push(officialComparison('node', nodeOfficial.records as OfficialComparisonRecords, NODE_RECIPE_DTYPES, settings.newTokens));
}

/** Constrained against unconstrained generation, in pairs of the same length. */
export async function runNodeConstrained(context: BenchContext, collector: BenchCollector): Promise<void> {
  const { options, log } = context;
  log(`node: constrained vs unconstrained generation (${options.constrained.loads} loads, ${options.constrained.runs} pairs after a warm-up)…`);
  const job = await runNodeJob(
    {
      kind: 'constrained',
      modelId: context.model.id,
      dtypes: NODE_RECIPE_DTYPES,
      image: context.firstImage,
      question: context.question,
      ...options.constrained,
    },
    log,
  );
  const records = job.records as ConstrainedSuiteRecords;
  collector.promptTokens ||= records.promptTokens;
  collector.constrained.push(constrainedReport('node', `recipe (${describeDtypes(NODE_RECIPE_DTYPES)})`, NODE_RECIPE_DTYPES, records));
}

async function runNodeFp32(context: BenchContext): Promise<ConfigReport> {
  const { options, model, images, question, log } = context;
  const { settings } = options;
  log('node: fp32 everywhere…');
  const fp32 = await runNodeJob(
    { kind: 'probe', modelId: model.id, dtypes: FP32_DTYPES, images: images.distinct.slice(0, settings.runs + 1), question, newTokens: settings.newTokens },
    log,
  );
  const records = fp32.records as ProbeRecords;
  return rewriteConfigReport('fp32 everywhere', FP32_DTYPES, [records.loadMs], records.rewrites.slice(1), settings.newTokens, {
    peakMemoryMB: fp32.maxRssBytes / 2 ** 20,
    memoryMeasure: 'peak RSS of the process',
  });
}

function addNodeBandwidthRow(
  context: BenchContext,
  collector: BenchCollector,
  row: ConfigReport,
  dtypes: SessionDtypes,
  promptTokens: number,
): Promise<void> {
  return addBandwidthRow(context, collector, {
    environment: 'node',
    config: row.name,
    dtypes,
    bandwidth: context.bandwidth,
    promptTokens,
    decodeTokensPerSecond: row.decodeTokensPerSecond.median,
  });
}

/** onnxruntime-node takes the thread count per session. */
const NODE_ONE_THREAD: SweptSessionOption = { name: ONE_THREAD_VARIANT, option: 'intraOpNumThreads: 1', sessionOptions: { intraOpNumThreads: 1 } };

/** The recipe and session-option sweeps on the raw loop, then a whole rewrite per reasoning mode on the engine with Node's recipe. */
export async function runNodeSpeed(context: BenchContext, collector: BenchCollector): Promise<void> {
  const { options, model, images, question, log } = context;
  const { settings } = options;
  const sweep = (variants: RawLoopVariant[]) =>
    runNodeJob({ kind: 'raw-sweep', modelId: model.id, variants, image: context.firstImage, question, runs: settings.runs, newTokens: settings.newTokens }, log);
  log(`node: recipe sweep (${Object.keys(SWEPT_RECIPES).join(', ')}; raw loop, ${settings.runs} runs each)…`);
  const recipes = await sweep(recipeVariants());
  collector.recipes.push(...recipeReports('node', recipes.records as RawLoopVariantRecords[]));
  const swept = [...SWEPT_SESSION_OPTIONS, NODE_ONE_THREAD];
  log(`node: session-option sweep on the CPU recipe (${swept.map((option) => option.name).join(', ')}; raw loop, ${settings.runs} runs each)…`);
  const sessionOptions = await sweep(sessionOptionVariants(swept, NODE_RECIPE_DTYPES));
  collector.sessionOptions.push(...sessionOptionReports('node', sessionOptions.records as RawLoopVariantRecords[], optionTexts(swept)));
  log(`node: a whole rewrite per reasoning mode (${settings.runs} new photos each)…`);
  const rewrites = await runNodeJob(
    { kind: 'rewrites', modelId: model.id, dtypes: NODE_RECIPE_DTYPES, images: images.distinct.slice(0, 1 + settings.runs * REASONING_MODES.length), question, runs: settings.runs },
    log,
  );
  collector.rewrites.push(...rewriteReports('node', rewrites.records as RewriteRunRecord[], !options.quick));
}
