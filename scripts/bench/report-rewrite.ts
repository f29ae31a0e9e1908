/** The report's whole-rewrite rows (rewrite-suite.ts): click to decision per reasoning mode, and the goals. */
import * as v from 'valibot';
import { REASONING_MAX_NEW_TOKENS, REASONING_MODES, type ReasoningMode } from '../../src/core/reasoning-mode.ts';
import type { RewriteRunRecord } from './rewrite-suite.ts';
import { flag, nonNegative, oneOf, shape, summary, text } from './report-fields.ts';
import { summarize } from './stats.ts';

/** The longest a whole rewrite on a CPU may take (the goals, for the realistic-size model); brief has none. */
export const REWRITE_GOALS_MS: Readonly<Partial<Record<ReasoningMode, number>>> = Object.freeze({ full: 20_000, off: 8_000 });

export const RewriteReportSchema = shape({
  environment: text,
  reasoning: oneOf(REASONING_MODES),
  maxNewTokens: nonNegative,
  totalMs: summary,
  firstTokenMs: summary,
  visionMs: summary,
  tokenCount: summary,
  /** Runs whose output reached [END] under the constraint. */
  runs: nonNegative,
  completeRuns: nonNegative,
  goalMs: v.nullable(nonNegative),
  goalMet: v.nullable(flag),
});

export type RewriteReport = v.InferOutput<typeof RewriteReportSchema>;

/** `withGoals`: the model is the realistic-size one the goals are set for (on the tiny one they mean nothing). */
export function rewriteReports(environment: string, records: readonly RewriteRunRecord[], withGoals: boolean): RewriteReport[] {
  return REASONING_MODES.flatMap((reasoning) => {
    const runs = records.filter((record) => record.reasoning === reasoning);
    if (runs.length === 0) return [];
    const totalMs = summarize(runs.map((run) => run.totalMs));
    const goalMs = withGoals ? (REWRITE_GOALS_MS[reasoning] ?? null) : null;
    return [
      {
        environment,
        reasoning,
        maxNewTokens: REASONING_MAX_NEW_TOKENS[reasoning],
        totalMs,
        firstTokenMs: summarize(runs.map((run) => run.firstTokenMs)),
        visionMs: summarize(runs.map((run) => run.visionMs)),
        tokenCount: summarize(runs.map((run) => run.tokenCount)),
        runs: runs.length,
        completeRuns: runs.filter((run) => run.complete).length,
        goalMs,
        goalMet: goalMs === null ? null : totalMs.median <= goalMs,
      },
    ];
  });
}
