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
  /** Tokens inside the format's fixed tags; absent from reports written before they were counted. */
  tagTokens: v.optional(summary),
  /**
   * What jump-forward decoding could save at most: the tag tokens at the run's own time per decoded token. An upper
   * bound, since appending the tags still costs one model pass per tag.
   */
  jumpForwardSavingMs: v.optional(summary),
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
        tagTokens: summarize(runs.map((run) => run.tagTokens)),
        jumpForwardSavingMs: summarize(runs.map(jumpForwardSavingMs)),
        runs: runs.length,
        completeRuns: runs.filter((run) => run.complete).length,
        goalMs,
        goalMet: goalMs === null ? null : totalMs.median <= goalMs,
      },
    ];
  });
}

function jumpForwardSavingMs(run: RewriteRunRecord): number {
  const decodedTokens = run.tokenCount - 1;
  return decodedTokens > 0 ? (run.tagTokens * (run.totalMs - run.firstTokenMs)) / decodedTokens : 0;
}
