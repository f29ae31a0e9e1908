/**
 * The JSON report `npm run bench` writes (bench-results/bench-<mode>.json), and a hand-written check of its shape.
 * Times are milliseconds, speeds tokens per second, sizes bytes unless a name says otherwise. Every measured value is
 * a Summary over repeated runs; ratios of paired runs are Summaries of the per-pair ratios.
 */
import type { SessionDtypes } from '../../src/core/model-catalog.ts';
import type { Summary } from './stats.ts';

/** 2: `sections` and the `constrained` rows. */
export const REPORT_SCHEMA_VERSION = 2;

/** The parts of the benchmark: everything but the constrained rows, and the constrained rows (`--only` picks). */
export const BENCH_SECTIONS = ['standard', 'constrained'] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

/** What constrained generation must cost at most (the goals). */
export const CONSTRAINED_GOALS = Object.freeze({ setupMs: 300, overheadPercent: 5 });

export interface BenchReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  createdAt: string;
  command: string;
  mode: 'quick' | 'full';
  /** The sections that ran; without `standard`, environments and comparisons are empty. */
  sections: BenchSection[];
  durationS: number;
  machine: MachineInfo;
  model: ModelInfo;
  settings: { runs: number; loads: number; newTokens: number; cacheTokens: number; image: { width: number; height: number } };
  environments: EnvironmentReport[];
  comparisons: {
    rawLoop: RawLoopComparison[];
    officialConfig: OfficialComparison[];
    bandwidth: BandwidthComparison[];
  };
  optimisations: OptimisationReport[];
  /** Constrained against unconstrained generation, one row per environment. */
  constrained: ConstrainedGenerationReport[];
  /** What this run could not measure, and why (e.g. WebGPU without a GPU). */
  missing: Array<{ what: string; why: string }>;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  chromium: string | null;
  /** Versions of the runtime packages, from their package.json. */
  packages: Record<string, string>;
  gpu: string | null;
  /** Load average when the run started: other work on the machine makes every absolute number noisier. */
  loadAverage: number[];
}

export interface ModelInfo {
  id: string;
  kind: 'tiny' | 'realistic';
  /** The generator's ModelDims of the realistic model; null for the tiny fixture. */
  dims: Record<string, number> | null;
  files: Array<{ path: string; bytes: number }>;
  promptTokens: number;
  differencesFromRealExport: string[];
}

export interface LongTaskCount {
  count: number;
  totalMs: number;
  longestMs: number;
}

export interface EnvironmentReport {
  name: 'node' | 'chromium-wasm' | 'chromium-webgpu';
  backend: string;
  threads: number | null;
  crossOriginIsolated: boolean | null;
  configs: ConfigReport[];
  /** Main-thread long tasks (> 50 ms) while the worker loaded the model and while it generated; browser only. */
  longTasks: { load: LongTaskCount; generate: LongTaskCount } | null;
}

export interface ConfigReport {
  name: string;
  dtypes: SessionDtypes;
  /** Files → ready (no warm-up generation). */
  loadMs: Summary;
  /** Image decode and resize, chat template, tokenization, pixel preprocessing. */
  preprocessMs: Summary;
  /** The vision encoder run for one image (one 512-px tile). */
  visionMs: Summary;
  /** From the generate call to the first new token: preprocessing, vision, prefill. */
  firstTokenMs: Summary;
  /** Over `newTokens` forced new tokens, excluding the first. */
  decodeTokensPerSecond: Summary;
  totalMs: Summary;
  newTokens: number;
  peakMemoryMB: number | null;
  memoryMeasure: string;
}

export interface RawLoopComparison {
  environment: string;
  dtypes: SessionDtypes;
  engine: { firstTokenMs: Summary; firstTokenMsWithoutPreprocess: Summary; decodeTokensPerSecond: Summary };
  raw: { firstTokenMs: Summary; decodeTokensPerSecond: Summary };
  /** Engine tokens/s ÷ raw tokens/s, per pair of back-to-back runs; 1 means no overhead. */
  decodeRatio: Summary;
  /** Raw time to first token ÷ the engine's (both from processed inputs, so without preprocessing). */
  firstTokenRatio: Summary;
  overheadPerTokenMs: number;
  overheadAtFirstTokenMs: number;
  /** The engine (greedy, end token suppressed) and the raw loop produced the same token ids in every pair. */
  sameTokens: boolean;
}

export interface OfficialSide {
  label: string;
  dtypes: string;
  tiles: number;
  promptTokens: number;
  firstTokenMs: Summary;
  totalMs: Summary;
}

export interface OfficialComparison {
  environment: string;
  image: { width: number; height: number };
  newTokens: number;
  ours: OfficialSide;
  official: OfficialSide;
  /** Official ÷ ours, per pair of back-to-back runs: how many times sooner our first token comes. */
  firstTokenSpeedup: Summary;
  totalSpeedup: Summary;
}

export interface BandwidthComparison {
  environment: string;
  config: string;
  bandwidthGBps: number;
  bandwidthMethod: string;
  weightBytesPerToken: number;
  /** KV cache read per token at the middle of the measured decode. */
  kvBytesPerToken: number;
  decodeTokensPerSecond: number;
  /** Bandwidth ÷ bytes per token: the speed if decoding only streamed its bytes from memory. */
  limitTokensPerSecond: number;
  percentOfLimit: number;
}

export interface OptimisationReport {
  name: string;
  environment: string;
  scenario: string;
  metric: string;
  before: Summary;
  after: Summary;
  /** before.median ÷ after.median. */
  speedup: number;
  /** Whether the optimised runs produced the same tokens as the unoptimised ones; null where inputs differ by design. */
  sameTokens: boolean | null;
  kept: boolean;
  note: string;
}

/**
 * Constrained generation (the app's default) against free generation of the same length, on one engine (the app's
 * configuration). Each pair: a constrained run, which ends with the format's end token after N tokens, and an
 * unconstrained run forced to exactly N tokens (min = max = N; a forced minimum cannot apply to a format that ends
 * in the end token); same photo, same prompt, every run cold. The first pair runs the constrained one first (to learn
 * N), later pairs alternate which goes first.
 */
export interface ConstrainedGenerationReport {
  environment: string;
  config: string;
  dtypes: SessionDtypes;
  /** The vocabulary table: ids, ids with text, ids allowed anywhere in free text, ids that can close a section. */
  vocabulary: { size: number; writable: number; freeText: number; closing: number };
  /** The format plan, as the app builds it for the benchmark question and this output limit. */
  plan: { maxNewTokens: number; tokenBound: number; budgets: Record<string, number>; refinedPromptMaxChars: number };
  /** LoadedModel.constraintSetupMs (building the table, part of the load) over every load. */
  setupMs: Summary;
  /** The first load in a fresh process or worker: what the app pays once per page, before anything is warm. */
  firstSetupMs: number;
  /** N: the constrained runs' lengths, end token included (the unconstrained runs had the same). */
  newTokens: Summary;
  /** Measured pairs, and constrained runs among them whose output reached [END] and the end token. */
  runs: number;
  completeRuns: number;
  constrainedDecodeTokensPerSecond: Summary;
  unconstrainedDecodeTokensPerSecond: Summary;
  /** Constrained ÷ unconstrained decode tokens/s, per pair. */
  decodeRatio: Summary;
  /** 100 × (1 − decodeRatio), per pair: the decode slowdown. */
  overheadPercent: Summary;
  /** Time inside the mask (ConstrainedDecoder.maskLogits + accept) per generated token, per constrained run. */
  maskMsPerToken: Summary;
  /**
   * The slowdown the mask alone causes, in %: maskMsPerToken ÷ (the constrained run's time per decoded token − the
   * mask's), each run on its own, so a busy phase of the machine during the other run of a pair does not move it.
   */
  maskSharePercent: Summary;
  /**
   * Per generated token, in each run of the pairs: transformers.js' whole logits-processor step (the mask, or the
   * min-new-tokens processor of a forced length) and the tokenizer's decoding (TextStreamer re-decodes all text since
   * its last newline, and constrained free text has none until its section ends).
   */
  perTokenMs: {
    processors: { constrained: Summary; unconstrained: Summary };
    textDecode: { constrained: Summary; unconstrained: Summary };
  };
  /**
   * maskLogits per kind of step, over every measured constrained run: 'free' (an analysis), 'free-bounded' (the
   * refined prompt, under a character bound), 'literal' (a tag), 'level', 'category', 'end-of-text'.
   */
  maskBySegment: Record<string, { steps: number; msPerStep: number }>;
  /**
   * setupMet: every load's setup within the goal, the first included. overheadMet: the median decode overhead within
   * it. maskShareMet: the median mask share within it, a steadier estimate than two noisy decode rates.
   */
  goals: { setupMs: number; overheadPercent: number; setupMet: boolean; overheadMet: boolean; maskShareMet: boolean };
}

type Check = (value: unknown, path: string, errors: string[]) => void;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const number: Check = (value, path, errors) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) errors.push(`${path}: expected a finite number, got ${JSON.stringify(value)}`);
};
const nonNegative: Check = (value, path, errors) => {
  number(value, path, errors);
  if (typeof value === 'number' && value < 0) errors.push(`${path}: expected ≥ 0, got ${value}`);
};
const string: Check = (value, path, errors) => {
  if (typeof value !== 'string') errors.push(`${path}: expected a string`);
};
const boolean: Check = (value, path, errors) => {
  if (typeof value !== 'boolean') errors.push(`${path}: expected a boolean`);
};
const nullable =
  (check: Check): Check =>
  (value, path, errors) => {
    if (value !== null) check(value, path, errors);
  };
const oneOf =
  (...allowed: readonly unknown[]): Check =>
  (value, path, errors) => {
    if (!allowed.includes(value)) errors.push(`${path}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  };
const arrayOf =
  (check: Check, { nonEmpty = false } = {}): Check =>
  (value, path, errors) => {
    if (!Array.isArray(value)) return void errors.push(`${path}: expected an array`);
    if (nonEmpty && value.length === 0) errors.push(`${path}: expected at least one entry`);
    value.forEach((item, i) => check(item, `${path}[${i}]`, errors));
  };
const recordOf =
  (check: Check): Check =>
  (value, path, errors) => {
    if (!isObject(value)) return void errors.push(`${path}: expected an object`);
    for (const [key, item] of Object.entries(value)) check(item, `${path}.${key}`, errors);
  };
const shape =
  (fields: Record<string, Check>): Check =>
  (value, path, errors) => {
    if (!isObject(value)) return void errors.push(`${path}: expected an object`);
    for (const [key, check] of Object.entries(fields)) {
      if (!(key in value)) errors.push(`${path}.${key}: missing`);
      else check(value[key], `${path}.${key}`, errors);
    }
    for (const key of Object.keys(value)) if (!(key in fields)) errors.push(`${path}.${key}: not in the schema`);
  };

const summary: Check = (value, path, errors) => {
  shape({ n: nonNegative, median: number, min: number, max: number, q1: number, q3: number })(value, path, errors);
  if (!isObject(value)) return;
  const { n, min, q1, median, q3, max } = value as unknown as Summary;
  if (!(Number.isInteger(n) && n >= 1)) errors.push(`${path}.n: expected a positive integer`);
  if (!(min <= q1 && q1 <= median && median <= q3 && q3 <= max)) errors.push(`${path}: expected min ≤ q1 ≤ median ≤ q3 ≤ max`);
};
const dtype = oneOf('fp32', 'fp16', 'q8', 'q4', 'q4f16');
const dtypes = shape({ embed_tokens: dtype, vision_encoder: dtype, decoder_model_merged: dtype });
const longTaskCount = shape({ count: nonNegative, totalMs: nonNegative, longestMs: nonNegative });

const configReport = shape({
  name: string,
  dtypes,
  loadMs: summary,
  preprocessMs: summary,
  visionMs: summary,
  firstTokenMs: summary,
  decodeTokensPerSecond: summary,
  totalMs: summary,
  newTokens: nonNegative,
  peakMemoryMB: nullable(nonNegative),
  memoryMeasure: string,
});

const officialSide = shape({ label: string, dtypes: string, tiles: nonNegative, promptTokens: nonNegative, firstTokenMs: summary, totalMs: summary });

const constrainedReport = shape({
  environment: string,
  config: string,
  dtypes,
  vocabulary: shape({ size: nonNegative, writable: nonNegative, freeText: nonNegative, closing: nonNegative }),
  plan: shape({ maxNewTokens: nonNegative, tokenBound: nonNegative, budgets: recordOf(nonNegative), refinedPromptMaxChars: nonNegative }),
  setupMs: summary,
  firstSetupMs: nonNegative,
  newTokens: summary,
  runs: nonNegative,
  completeRuns: nonNegative,
  constrainedDecodeTokensPerSecond: summary,
  unconstrainedDecodeTokensPerSecond: summary,
  decodeRatio: summary,
  overheadPercent: summary,
  maskMsPerToken: summary,
  maskSharePercent: summary,
  perTokenMs: shape({
    processors: shape({ constrained: summary, unconstrained: summary }),
    textDecode: shape({ constrained: summary, unconstrained: summary }),
  }),
  maskBySegment: recordOf(shape({ steps: nonNegative, msPerStep: nonNegative })),
  goals: shape({ setupMs: nonNegative, overheadPercent: nonNegative, setupMet: boolean, overheadMet: boolean, maskShareMet: boolean }),
});

const benchReport = shape({
  schemaVersion: oneOf(REPORT_SCHEMA_VERSION),
  createdAt: string,
  command: string,
  mode: oneOf('quick', 'full'),
  sections: arrayOf(oneOf(...BENCH_SECTIONS), { nonEmpty: true }),
  durationS: nonNegative,
  machine: shape({
    cpu: string,
    cores: nonNegative,
    memoryGiB: nonNegative,
    os: string,
    node: string,
    chromium: nullable(string),
    packages: recordOf(string),
    gpu: nullable(string),
    loadAverage: arrayOf(nonNegative),
  }),
  model: shape({
    id: string,
    kind: oneOf('tiny', 'realistic'),
    dims: nullable(recordOf(number)),
    files: arrayOf(shape({ path: string, bytes: nonNegative }), { nonEmpty: true }),
    promptTokens: nonNegative,
    differencesFromRealExport: arrayOf(string),
  }),
  settings: shape({
    runs: nonNegative,
    loads: nonNegative,
    newTokens: nonNegative,
    cacheTokens: nonNegative,
    image: shape({ width: nonNegative, height: nonNegative }),
  }),
  environments: arrayOf(
    shape({
      name: oneOf('node', 'chromium-wasm', 'chromium-webgpu'),
      backend: string,
      threads: nullable(nonNegative),
      crossOriginIsolated: nullable(boolean),
      configs: arrayOf(configReport, { nonEmpty: true }),
      longTasks: nullable(shape({ load: longTaskCount, generate: longTaskCount })),
    }),
  ),
  comparisons: shape({
    rawLoop: arrayOf(
      shape({
        environment: string,
        dtypes,
        engine: shape({ firstTokenMs: summary, firstTokenMsWithoutPreprocess: summary, decodeTokensPerSecond: summary }),
        raw: shape({ firstTokenMs: summary, decodeTokensPerSecond: summary }),
        decodeRatio: summary,
        firstTokenRatio: summary,
        overheadPerTokenMs: number,
        overheadAtFirstTokenMs: number,
        sameTokens: boolean,
      }),
    ),
    officialConfig: arrayOf(
      shape({
        environment: string,
        image: shape({ width: nonNegative, height: nonNegative }),
        newTokens: nonNegative,
        ours: officialSide,
        official: officialSide,
        firstTokenSpeedup: summary,
        totalSpeedup: summary,
      }),
    ),
    bandwidth: arrayOf(
      shape({
        environment: string,
        config: string,
        bandwidthGBps: nonNegative,
        bandwidthMethod: string,
        weightBytesPerToken: nonNegative,
        kvBytesPerToken: nonNegative,
        decodeTokensPerSecond: nonNegative,
        limitTokensPerSecond: nonNegative,
        percentOfLimit: nonNegative,
      }),
    ),
  }),
  optimisations: arrayOf(
    shape({
      name: string,
      environment: string,
      scenario: string,
      metric: string,
      before: summary,
      after: summary,
      speedup: nonNegative,
      sameTokens: nullable(boolean),
      kept: boolean,
      note: string,
    }),
  ),
  constrained: arrayOf(constrainedReport),
  missing: arrayOf(shape({ what: string, why: string })),
});

/** Every way `value` departs from BenchReport; empty when it conforms. */
export function validateBenchReport(value: unknown): string[] {
  const errors: string[] = [];
  benchReport(value, 'report', errors);
  if (!isObject(value) || !Array.isArray(value['sections'])) return errors;
  // Each section that ran has rows: the environments for the standard one, a constrained row for the other.
  const sections = value['sections'] as unknown[];
  const rows = (key: string) => (Array.isArray(value[key]) ? (value[key] as unknown[]).length : 0);
  if (sections.includes('standard') && rows('environments') === 0) errors.push('report.environments: expected at least one entry');
  if (sections.includes('constrained') && rows('constrained') === 0) errors.push('report.constrained: expected at least one entry');
  for (const [i, row] of (Array.isArray(value['constrained']) ? (value['constrained'] as unknown[]) : []).entries()) {
    if (isObject(row) && typeof row['completeRuns'] === 'number' && typeof row['runs'] === 'number' && row['completeRuns'] > row['runs']) {
      errors.push(`report.constrained[${i}].completeRuns: more than runs`);
    }
  }
  return errors;
}
