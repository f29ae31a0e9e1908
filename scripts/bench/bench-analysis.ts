/** Turns the records of the Node and browser jobs into the report's sections (report-schema.ts). */
import type { SessionDtypes } from '../../src/core/model-catalog.ts';
import { DEFAULT_ENGINE_TUNING } from '../../src/engine/vlm-engine.ts';
import { appPromptIsTextFirst, type RunRecord, type Scenario, type SuiteRecords } from './engine-suite.ts';
import type { OfficialComparisonRecords } from './official-config.ts';
import type { ConstrainedSuiteRecords } from './constrained-suite.ts';
import {
  CONSTRAINED_GOALS,
  type BandwidthComparison,
  type ConfigReport,
  type ConstrainedGenerationReport,
  type OfficialComparison,
  type OptimisationReport,
  type RawLoopComparison,
} from './report-schema.ts';
import { decodeTokensPerSecond, pairedRatio, summarize, type Summary } from './stats.ts';

export interface MemoryMeasurement {
  peakMemoryMB: number | null;
  memoryMeasure: string;
}

/** One rewrite outside the suite (the probe jobs), enough for a config row. */
export interface RewriteSample {
  firstTokenMs: number;
  totalMs: number;
  tokenCount: number;
  profile: { preprocessMs: number; visionMs: number };
}

function runsOf(suite: SuiteRecords, variant: RunRecord['variant'], scenario: Scenario): RunRecord[] {
  return suite.runs.filter((run) => run.variant === variant && run.scenario === scenario).sort((a, b) => a.run - b.run);
}

const tokensPerSecond = (run: { tokenCount: number; firstTokenMs: number; totalMs: number }) =>
  decodeTokensPerSecond(run.tokenCount, run.firstTokenMs, run.totalMs);

/** The app's configuration (all speed-ups on) on images it has not seen: the headline row of an environment. */
export function suiteConfigReport(name: string, dtypes: SessionDtypes, suite: SuiteRecords, newTokens: number, memory: MemoryMeasurement): ConfigReport {
  const cold = runsOf(suite, 'final', 'cold');
  const loads = suite.loads.filter((load) => load.warmUp === 'never').map((load) => load.loadMs);
  return rewriteConfigReport(name, dtypes, loads, cold.map(asSample), newTokens, memory);
}

export function rewriteConfigReport(
  name: string,
  dtypes: SessionDtypes,
  loadMs: number[],
  rewrites: RewriteSample[],
  newTokens: number,
  memory: MemoryMeasurement,
): ConfigReport {
  return {
    name,
    dtypes,
    loadMs: summarize(loadMs),
    preprocessMs: summarize(rewrites.map((run) => run.profile.preprocessMs)),
    visionMs: summarize(rewrites.map((run) => run.profile.visionMs)),
    firstTokenMs: summarize(rewrites.map((run) => run.firstTokenMs)),
    decodeTokensPerSecond: summarize(rewrites.map(tokensPerSecond)),
    totalMs: summarize(rewrites.map((run) => run.totalMs)),
    newTokens,
    ...memory,
  };
}

function asSample(run: RunRecord): RewriteSample {
  return { ...run, profile: { preprocessMs: run.profile?.preprocessMs ?? 0, visionMs: run.profile?.visionMs ?? run.visionMs ?? 0 } };
}

/** The engine with caches off (the same work as the raw loop) against the raw loop, run pair by run pair. */
export function rawLoopComparison(environment: string, dtypes: SessionDtypes, suite: SuiteRecords): RawLoopComparison | null {
  const raw = runsOf(suite, 'raw', 'cold');
  const engine = runsOf(suite, 'noCache', 'cold').filter((run) => raw.some((other) => other.run === run.run));
  if (raw.length === 0 || engine.length !== raw.length) return null;
  const engineFirst = engine.map((run) => run.firstTokenMs - (run.profile?.preprocessMs ?? 0));
  const engineSpeed = engine.map(tokensPerSecond);
  const rawSpeed = raw.map(tokensPerSecond);
  const msPerToken = (speeds: number[]) => summarize(speeds.map((speed) => 1000 / speed)).median;
  return {
    environment,
    dtypes,
    engine: {
      firstTokenMs: summarize(engine.map((run) => run.firstTokenMs)),
      firstTokenMsWithoutPreprocess: summarize(engineFirst),
      decodeTokensPerSecond: summarize(engineSpeed),
    },
    raw: { firstTokenMs: summarize(raw.map((run) => run.firstTokenMs)), decodeTokensPerSecond: summarize(rawSpeed) },
    decodeRatio: pairedRatio(engineSpeed, rawSpeed),
    firstTokenRatio: pairedRatio(raw.map((run) => run.firstTokenMs), engineFirst),
    overheadPerTokenMs: msPerToken(engineSpeed) - msPerToken(rawSpeed),
    overheadAtFirstTokenMs: summarize(engineFirst).median - summarize(raw.map((run) => run.firstTokenMs)).median,
    sameTokens: engine.every((run, i) => sameIds(run.tokenIds, raw[i]?.tokenIds ?? [])),
  };
}

export function officialComparison(
  environment: string,
  records: OfficialComparisonRecords,
  ourDtypes: SessionDtypes,
  newTokens: number,
): OfficialComparison {
  const side = (label: string, dtypes: string, part: OfficialComparisonRecords['ours']) => ({
    label,
    dtypes,
    tiles: part.tiles,
    promptTokens: part.promptTokens,
    firstTokenMs: summarize(part.runs.map((run) => run.firstTokenMs)),
    totalMs: summarize(part.runs.map((run) => run.totalMs)),
  });
  const { ours, official } = records;
  return {
    environment,
    image: records.image,
    newTokens,
    ours: side('ours: recipe dtypes, one 512-px tile', describeDtypes(ourDtypes), ours),
    official: side('official example: fp32, default image splitting', 'fp32 everywhere', official),
    firstTokenSpeedup: pairedRatio(official.runs.map((run) => run.firstTokenMs), ours.runs.map((run) => run.firstTokenMs)),
    totalSpeedup: pairedRatio(official.runs.map((run) => run.totalMs), ours.runs.map((run) => run.totalMs)),
  };
}

export function describeDtypes(dtypes: SessionDtypes): string {
  return `embed ${dtypes.embed_tokens}, vision ${dtypes.vision_encoder}, decoder ${dtypes.decoder_model_merged}`;
}

/** Decode speed against streaming the decoder's weights and the KV cache from memory once per token. */
export function bandwidthComparison(args: {
  environment: string;
  config: string;
  bandwidth: { gbPerSecond: number; method: string };
  decoderBytes: number;
  kvBytesPerPosition: number;
  promptTokens: number;
  newTokens: number;
  decodeTokensPerSecond: number;
}): BandwidthComparison {
  const kvBytesPerToken = args.kvBytesPerPosition * (args.promptTokens + args.newTokens / 2);
  const limitTokensPerSecond = (args.bandwidth.gbPerSecond * 1e9) / (args.decoderBytes + kvBytesPerToken);
  return {
    environment: args.environment,
    config: args.config,
    bandwidthGBps: args.bandwidth.gbPerSecond,
    bandwidthMethod: args.bandwidth.method,
    weightBytesPerToken: args.decoderBytes,
    kvBytesPerToken,
    decodeTokensPerSecond: args.decodeTokensPerSecond,
    limitTokensPerSecond,
    percentOfLimit: (100 * args.decodeTokensPerSecond) / limitTokensPerSecond,
  };
}

/** Each speed-up, before and after, on the scenario it is for. */
export function optimisationReports(environment: string, suite: SuiteRecords): OptimisationReport[] {
  const reports: OptimisationReport[] = [];
  const compare = (
    name: string,
    scenario: string,
    metric: string,
    before: number[],
    after: number[],
    sameTokens: boolean | null,
    kept: boolean,
    note: string,
  ) => {
    if (before.length === 0 || after.length === 0) return;
    const beforeSummary = summarize(before);
    const afterSummary = summarize(after);
    reports.push({
      name, environment, scenario, metric, before: beforeSummary, after: afterSummary,
      speedup: beforeSummary.median / afterSummary.median, sameTokens, kept, note,
    });
  };
  const firstToken = (runs: RunRecord[]) => runs.map((run) => run.firstTokenMs);
  const preprocess = (runs: RunRecord[]) => runs.map((run) => run.profile?.preprocessMs ?? 0);

  const baseCold = runsOf(suite, 'base', 'cold');
  const noCacheCold = runsOf(suite, 'noCache', 'cold');
  compare(
    'resize straight to one tile',
    'new image',
    'preprocessMs',
    preprocess(baseCold),
    preprocess(noCacheCold),
    null,
    DEFAULT_ENGINE_TUNING.directTileResize,
    `First token: ${median(firstToken(baseCold))} → ${median(firstToken(noCacheCold))}. ` +
      'The pixels differ slightly by design (one resampling instead of an upscale to 2048 px and back), so tokens are not compared.',
  );

  const sameNoCache = runsOf(suite, 'noCache', 'same-image');
  const sameVision = runsOf(suite, 'visionCache', 'same-image');
  const sameFinal = runsOf(suite, 'final', 'same-image');
  compare(
    'vision feature cache',
    'same image, edited question',
    'firstTokenMs',
    firstToken(sameNoCache),
    firstToken(sameVision),
    sameNoCache.length > 0 && sameVision.length > 0 ? allSame(sameVision, sameNoCache) : null,
    DEFAULT_ENGINE_TUNING.visionFeatureCache,
    `Vision encoder: ${median(sameNoCache.map((run) => run.profile?.visionMs ?? 0))} → 0 (cache hit).`,
  );
  // On top of the vision cache where that variant ran; against no cache at all otherwise.
  const prefixBaseline = sameVision.length > 0 ? sameVision : sameNoCache;
  const prefixReused = median(sameFinal.map((run) => run.profile?.reusedPrefixTokens ?? 0), '');
  compare(
    'prompt prefix KV cache',
    'same image, edited question',
    'firstTokenMs',
    firstToken(prefixBaseline),
    firstToken(sameFinal),
    sameNoCache.length > 0 && sameFinal.length > 0 ? allSame(sameFinal, sameNoCache) : null,
    DEFAULT_ENGINE_TUNING.promptPrefixCache && prefixReused !== '0',
    `${sameVision.length > 0 ? 'Measured on top of the vision cache' : 'Measured against no cache'}; reused ${prefixReused} of ` +
      `${median(sameFinal.map((run) => run.profile?.promptTokens ?? 0), '')} prompt positions. Against no cache at all: ` +
      `${median(firstToken(sameNoCache))} → ${median(firstToken(sameFinal))}.`,
  );

  const textFirst = appPromptIsTextFirst();
  const imageFirstRuns = runsOf(suite, 'final', textFirst ? 'cold-other-order' : 'cold');
  const textFirstRuns = runsOf(suite, 'final', textFirst ? 'cold' : 'cold-other-order');
  const reused = (runs: RunRecord[]) => median(runs.map((run) => run.profile?.reusedPrefixTokens ?? 0), '');
  compare(
    'instructions before the image (prompt order)',
    'new image',
    'firstTokenMs',
    firstToken(imageFirstRuns),
    firstToken(textFirstRuns),
    null,
    textFirst,
    `With the image first, a new image leaves ${reused(imageFirstRuns)} reusable prompt positions; with the instructions first, ` +
      `${reused(textFirstRuns)}. Same content, another order, so tokens are not compared.`,
  );

  const loadsNever = suite.loads.filter((load) => load.warmUp === 'never');
  const loadsAlways = suite.loads.filter((load) => load.warmUp === 'always');
  compare(
    'warm-up generation during load',
    'load, then the first rewrite',
    'loadMs + firstTokenMs',
    loadsNever.map((load) => load.loadMs + load.firstRewriteFirstTokenMs),
    loadsAlways.map((load) => load.loadMs + load.firstRewriteFirstTokenMs),
    null,
    DEFAULT_ENGINE_TUNING.warmUp === 'always',
    `First rewrite's first token alone: ${median(loadsNever.map((load) => load.firstRewriteFirstTokenMs))} → ` +
      `${median(loadsAlways.map((load) => load.firstRewriteFirstTokenMs))}; load: ${median(loadsNever.map((load) => load.loadMs))} → ` +
      `${median(loadsAlways.map((load) => load.loadMs))}. The engine keeps the warm-up for WebGPU (shader compilation).`,
  );
  return reports;
}

function allSame(runs: RunRecord[], reference: RunRecord[]): boolean {
  return runs.every((run) => {
    const other = reference.find((candidate) => candidate.run === run.run);
    return other !== undefined && sameIds(run.tokenIds, other.tokenIds);
  });
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

function median(values: number[], unit = ' ms'): string {
  if (values.length === 0) return 'n/a';
  const value: Summary = summarize(values);
  return `${Math.round(value.median)}${unit}`;
}

/** The constrained-generation row of one environment (see ConstrainedGenerationReport). */
export function constrainedReport(
  environment: string,
  config: string,
  dtypes: SessionDtypes,
  records: ConstrainedSuiteRecords,
): ConstrainedGenerationReport {
  const pairs = records.pairs.filter((pair) => tokensPerSecond(pair.constrained) > 0 && tokensPerSecond(pair.unconstrained) > 0);
  if (pairs.length === 0) throw new Error(`${environment}: no constrained pair decoded more than one token`);
  const constrained = pairs.map((pair) => tokensPerSecond(pair.constrained));
  const unconstrained = pairs.map((pair) => tokensPerSecond(pair.unconstrained));
  const decodeRatio = pairedRatio(constrained, unconstrained);
  const overheadPercent = summarize(constrained.map((speed, i) => 100 * (1 - speed / (unconstrained[i] ?? speed))));
  const maskMsPerToken = pairs.map((pair) => pair.constrained.maskMs / Math.max(1, pair.constrained.maskSteps));
  const setupMs = summarize(records.setupMs);
  // Within the constrained run alone, so that a slow phase of the machine during the other run of the pair (a busy
  // shared machine) cannot move it: the mask's time over the rest of the time per decoded token.
  const maskSharePercent = summarize(
    maskMsPerToken.map((mask, i) => {
      const msPerToken = 1000 / (constrained[i] ?? Infinity);
      return (100 * mask) / Math.max(msPerToken - mask, Number.EPSILON);
    }),
  );
  const maskBySegment: ConstrainedGenerationReport['maskBySegment'] = {};
  for (const [kind, { steps, ms }] of Object.entries(sumBySegment(pairs.map((pair) => pair.constrained.maskBySegment)))) {
    maskBySegment[kind] = { steps, msPerStep: ms / steps };
  }
  const perToken = (key: 'processorsMs' | 'textDecodeMs') => ({
    constrained: summarize(pairs.map((pair) => pair.constrained[key] / pair.constrained.tokenCount)),
    unconstrained: summarize(pairs.map((pair) => pair.unconstrained[key] / pair.unconstrained.tokenCount)),
  });
  return {
    environment,
    config,
    dtypes,
    vocabulary: records.table,
    plan: records.plan,
    setupMs,
    firstSetupMs: records.setupMs[0] ?? setupMs.median,
    newTokens: summarize(pairs.map((pair) => pair.constrained.tokenCount)),
    runs: pairs.length,
    completeRuns: pairs.filter((pair) => pair.constrained.complete).length,
    constrainedDecodeTokensPerSecond: summarize(constrained),
    unconstrainedDecodeTokensPerSecond: summarize(unconstrained),
    decodeRatio,
    overheadPercent,
    maskMsPerToken: summarize(maskMsPerToken),
    maskSharePercent,
    perTokenMs: { processors: perToken('processorsMs'), textDecode: perToken('textDecodeMs') },
    maskBySegment,
    goals: {
      ...CONSTRAINED_GOALS,
      setupMet: setupMs.max <= CONSTRAINED_GOALS.setupMs,
      overheadMet: overheadPercent.median <= CONSTRAINED_GOALS.overheadPercent,
      maskShareMet: maskSharePercent.median <= CONSTRAINED_GOALS.overheadPercent,
    },
  };
}

function sumBySegment(runs: ReadonlyArray<Record<string, { steps: number; ms: number }>>): Record<string, { steps: number; ms: number }> {
  const total: Record<string, { steps: number; ms: number }> = {};
  for (const run of runs) {
    for (const [kind, { steps, ms }] of Object.entries(run)) {
      const entry = (total[kind] ??= { steps: 0, ms: 0 });
      entry.steps += steps;
      entry.ms += ms;
    }
  }
  return total;
}
