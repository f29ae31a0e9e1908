/**
 * The report's raw-loop sweep rows (recipe-suite.ts): per backend, each dtype recipe's speed and tokens against fp32,
 * and each session option's speed and tokens against onnxruntime's defaults on the CPU recipe.
 */
import * as v from 'valibot';
import type { RawLoopVariantRecords } from './recipe-suite.ts';
import { dtypes, nonNegative, shape, summary, text } from './report-fields.ts';
import { decodeTokensPerSecond, summarize } from './stats.ts';

const speed = {
  visionMs: summary,
  firstTokenMs: summary,
  decodeTokensPerSecond: summary,
  /** Generated tokens per run. */
  newTokens: nonNegative,
};

export const RecipeReportSchema = shape({
  environment: text,
  recipe: text,
  dtypes,
  ...speed,
  /** How many generated tokens, from the start, equal fp32's on the same backend. */
  tokensAsFp32: nonNegative,
});

export const SessionOptionReportSchema = shape({
  environment: text,
  variant: text,
  /** The option as onnxruntime takes it, or the thread count. */
  option: text,
  dtypes,
  /** Creating the three sessions (once per variant). */
  loadMs: summary,
  ...speed,
  /** How many generated tokens, from the start, equal those of the defaults on the same backend. */
  tokensAsDefaults: nonNegative,
});

/** The session-option rows' reference: onnxruntime's defaults (the app passes no session options). */
export const DEFAULT_OPTIONS_VARIANT = 'defaults';

export type RecipeReport = v.InferOutput<typeof RecipeReportSchema>;
export type SessionOptionReport = v.InferOutput<typeof SessionOptionReportSchema>;

function speedOf({ runs, tokenIds }: RawLoopVariantRecords) {
  return {
    visionMs: summarize(runs.map((run) => run.visionMs)),
    firstTokenMs: summarize(runs.map((run) => run.firstTokenMs)),
    decodeTokensPerSecond: summarize(runs.map((run) => decodeTokensPerSecond(tokenIds.length, run.firstTokenMs, run.totalMs))),
    newTokens: tokenIds.length,
  };
}

function leadingMatches(tokens: readonly number[], reference: readonly number[]): number {
  let same = 0;
  while (same < tokens.length && tokens[same] === reference[same]) same++;
  return same;
}

export function recipeReports(environment: string, records: readonly RawLoopVariantRecords[]): RecipeReport[] {
  const reference = records.find((record) => record.name === 'fp32')?.tokenIds ?? [];
  return records.map((record) => ({
    environment,
    recipe: record.name,
    dtypes: record.dtypes,
    ...speedOf(record),
    tokensAsFp32: leadingMatches(record.tokenIds, reference),
  }));
}

/** `options` names each variant's option as the report shows it (the sweep's table, plus the environment's thread run). */
export function sessionOptionReports(
  environment: string,
  records: readonly RawLoopVariantRecords[],
  options: Readonly<Record<string, string>>,
): SessionOptionReport[] {
  const reference = records.find((record) => record.name === DEFAULT_OPTIONS_VARIANT)?.tokenIds ?? [];
  return records.map((record) => ({
    environment,
    variant: record.name,
    option: options[record.name] ?? '',
    dtypes: record.dtypes,
    loadMs: summarize([record.loadMs]),
    ...speedOf(record),
    tokensAsDefaults: leadingMatches(record.tokenIds, reference),
  }));
}
