/** The report's recipe rows (recipe-suite.ts): per backend, each dtype recipe's speed on the raw loop and its tokens. */
import * as v from 'valibot';
import type { RecipeRecords } from './recipe-suite.ts';
import { dtypes, nonNegative, shape, summary, text } from './report-fields.ts';
import { decodeTokensPerSecond, summarize } from './stats.ts';

export const RecipeReportSchema = shape({
  environment: text,
  recipe: text,
  dtypes,
  visionMs: summary,
  firstTokenMs: summary,
  decodeTokensPerSecond: summary,
  /** Generated tokens per run, and how many of them, from the start, equal fp32's on the same backend. */
  newTokens: nonNegative,
  tokensAsFp32: nonNegative,
});

export type RecipeReport = v.InferOutput<typeof RecipeReportSchema>;

export function recipeReports(environment: string, records: readonly RecipeRecords[]): RecipeReport[] {
  const reference = records.find((record) => record.recipe === 'fp32')?.tokenIds ?? [];
  return records.map(({ recipe, dtypes, runs, tokenIds }) => {
    let same = 0;
    while (same < tokenIds.length && tokenIds[same] === reference[same]) same++;
    return {
      environment,
      recipe,
      dtypes,
      visionMs: summarize(runs.map((run) => run.visionMs)),
      firstTokenMs: summarize(runs.map((run) => run.firstTokenMs)),
      decodeTokensPerSecond: summarize(runs.map((run) => decodeTokensPerSecond(tokenIds.length, run.firstTokenMs, run.totalMs))),
      newTokens: tokenIds.length,
      tokensAsFp32: same,
    };
  });
}
