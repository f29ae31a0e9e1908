/** The report's comparisons with a raw loop, the official configuration and memory bandwidth, and its optimisations. */
import * as v from 'valibot';
import { dtypes, finiteNumber, flag, imageSize, nonNegative, shape, summary, text } from './report-fields.ts';

export const RawLoopComparisonSchema = shape({
  environment: text,
  dtypes,
  engine: shape({ firstTokenMs: summary, firstTokenMsWithoutPreprocess: summary, decodeTokensPerSecond: summary }),
  raw: shape({ firstTokenMs: summary, decodeTokensPerSecond: summary }),
  /** Engine tokens/s ÷ raw tokens/s, per pair of back-to-back runs; 1 means no overhead. */
  decodeRatio: summary,
  /** Raw time to first token ÷ the engine's (both from processed inputs, so without preprocessing). */
  firstTokenRatio: summary,
  overheadPerTokenMs: finiteNumber,
  overheadAtFirstTokenMs: finiteNumber,
  /** The engine (greedy, end token suppressed) and the raw loop produced the same token ids in every pair. */
  sameTokens: flag,
});

const OfficialSideSchema = shape({
  label: text,
  dtypes: text,
  tiles: nonNegative,
  promptTokens: nonNegative,
  firstTokenMs: summary,
  totalMs: summary,
});

export const OfficialComparisonSchema = shape({
  environment: text,
  image: imageSize,
  newTokens: nonNegative,
  ours: OfficialSideSchema,
  official: OfficialSideSchema,
  /** Official ÷ ours, per pair of back-to-back runs: how many times sooner our first token comes. */
  firstTokenSpeedup: summary,
  totalSpeedup: summary,
});

export const BandwidthComparisonSchema = shape({
  environment: text,
  config: text,
  bandwidthGBps: nonNegative,
  bandwidthMethod: text,
  weightBytesPerToken: nonNegative,
  /** KV cache read per token at the middle of the measured decode. */
  kvBytesPerToken: nonNegative,
  decodeTokensPerSecond: nonNegative,
  /** Bandwidth ÷ bytes per token: the speed if decoding only streamed its bytes from memory. */
  limitTokensPerSecond: nonNegative,
  percentOfLimit: nonNegative,
});

export const OptimisationReportSchema = shape({
  name: text,
  environment: text,
  scenario: text,
  metric: text,
  before: summary,
  after: summary,
  /** before.median ÷ after.median. */
  speedup: nonNegative,
  /** Whether the optimised runs produced the same tokens as the unoptimised ones; null where inputs differ by design. */
  sameTokens: v.nullable(flag),
  kept: flag,
  note: text,
});

export type RawLoopComparison = v.InferOutput<typeof RawLoopComparisonSchema>;
export type OfficialSide = v.InferOutput<typeof OfficialSideSchema>;
export type OfficialComparison = v.InferOutput<typeof OfficialComparisonSchema>;
export type BandwidthComparison = v.InferOutput<typeof BandwidthComparisonSchema>;
export type OptimisationReport = v.InferOutput<typeof OptimisationReportSchema>;
