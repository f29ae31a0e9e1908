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
import { FP32_DTYPES, RECIPE_DTYPES } from './bench-model.ts';
import { BENCH_QUESTIONS } from './bench-prompts.ts';
import type { ConstrainedSuiteRecords } from './constrained-suite.ts';
import { suiteImageCount, type EngineVariant, type SuiteRecords } from './engine-suite.ts';
import { runNodeJob } from './node-bench.ts';
import type { ProbeRecords } from './node-runner.ts';
import type { OfficialComparisonRecords } from './official-config.ts';
import type { ConfigReport } from './report-schema.ts';

const VARIANTS: EngineVariant[] = ['base', 'noCache', 'visionCache', 'final'];

/** The memory probe, the suite against the raw loop, fp32 everywhere and the official example's configuration. */
export async function runNodeStandard(context: BenchContext, collector: BenchCollector): Promise<void> {
  const { options, model, images, question, log } = context;
  const { settings } = options;
  log('node: memory probe (one engine, two rewrites)…');
  const probe = await runNodeJob(
    { kind: 'probe', modelId: model.id, dtypes: RECIPE_DTYPES, images: images.distinct.slice(0, 2), question, newTokens: settings.newTokens },
    log,
  );
  log('node: suite (loads, cold rewrites against the raw loop, same-image rewrites)…');
  const nodeSuite = await runNodeJob(
    {
      kind: 'suite',
      modelId: model.id,
      dtypes: RECIPE_DTYPES,
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
    suiteConfigReport(`recipe (${describeDtypes(RECIPE_DTYPES)})`, RECIPE_DTYPES, suite, settings.newTokens, {
      peakMemoryMB: probe.maxRssBytes / 2 ** 20,
      memoryMeasure: 'peak RSS of a process that loads and rewrites twice',
    }),
  ];
  await addNodeBandwidthRow(context, collector, nodeConfigs[0], RECIPE_DTYPES, suite.promptTokens);
  if (options.fp32) {
    const row = await runNodeFp32(context);
    nodeConfigs.push(row);
    await addNodeBandwidthRow(context, collector, row, FP32_DTYPES, suite.promptTokens);
  }
  collector.environments.push({ name: 'node', backend: suite.backend, threads: null, crossOriginIsolated: null, configs: nodeConfigs, longTasks: null });
  const nodeRaw = rawLoopComparison('node', RECIPE_DTYPES, suite);
  if (nodeRaw) collector.rawLoop.push(nodeRaw);
  collector.optimisations.push(...optimisationReports('node', suite));

  log(`node: large photo (${images.largeSize.width}×${images.largeSize.height}), ours against the official example's configuration…`);
  const nodeOfficial = await runNodeJob(
    {
      kind: 'official',
      modelId: model.id,
      ourDtypes: RECIPE_DTYPES,
      image: images.large,
      warmUpImage: context.firstImage,
      question,
      runs: options.officialRuns,
      newTokens: settings.newTokens,
    },
    log,
  );
  collector.officialConfig.push(officialComparison('node', nodeOfficial.records as OfficialComparisonRecords, RECIPE_DTYPES, settings.newTokens));
}

/** Constrained against unconstrained generation, in pairs of the same length. */
export async function runNodeConstrained(context: BenchContext, collector: BenchCollector): Promise<void> {
  const { options, log } = context;
  log(`node: constrained vs unconstrained generation (${options.constrained.loads} loads, ${options.constrained.runs} pairs after a warm-up)…`);
  const job = await runNodeJob(
    {
      kind: 'constrained',
      modelId: context.model.id,
      dtypes: RECIPE_DTYPES,
      image: context.firstImage,
      question: context.question,
      ...options.constrained,
    },
    log,
  );
  const records = job.records as ConstrainedSuiteRecords;
  collector.promptTokens ||= records.promptTokens;
  collector.constrained.push(constrainedReport('node', `recipe (${describeDtypes(RECIPE_DTYPES)})`, RECIPE_DTYPES, records));
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
