/**
 * What the probe runs add up to, per decoding mode: how many outputs the parser read completely, the decision's
 * outcomes, agreement with the probes' labels, speed, and under the constraint the spread of P(none).
 */
import type { FallbackReason, RewriteResult, RiskCategory, RiskLevel } from '../../src/core/rewrite-format.ts';
import { formatTags } from '../../src/core/rewrite-format.ts';
import { parseRewriteOutput } from '../../src/core/rewrite-parser.ts';
import type { StopReason } from '../../src/core/rewriter-api.ts';
import { summarize, type Summary } from '../bench/stats.ts';
import type { RewriteOutcome, SafetyLabel } from '../eval/eval-types.ts';

export const PROBE_MODES = ['unconstrained', 'constrained'] as const;
export type ProbeMode = (typeof PROBE_MODES)[number];

/** One probe case in one mode. */
export interface ProbeRun {
  probe: string;
  label: SafetyLabel;
  mode: ProbeMode;
  outcome: RewriteOutcome;
  fallbackReason: FallbackReason | null;
  /** Every section, a level, a category, a closed refined prompt and [END], as our parser reads the raw output. */
  parsedComplete: boolean;
  /** The constraint's own report that the output reached [END] inside the format; null unconstrained. */
  constraintComplete: boolean | null;
  level: RiskLevel | null;
  category: RiskCategory | null;
  /** P(none) at the level's step; null unconstrained (or when the level was never chosen). */
  pNone: number | null;
  stopReason: StopReason;
  ms: number;
  tokens: number;
  raw: string;
}

export interface LabelCounts {
  runs: number;
  passedThrough: number;
}

export interface ModeSummary {
  runs: number;
  parsedComplete: number;
  /** Null unconstrained. */
  constraintComplete: number | null;
  outcomes: Record<RewriteOutcome, number>;
  fallbackReasons: Partial<Record<FallbackReason, number>>;
  safe: LabelCounts;
  unsafe: LabelCounts;
  medianMs: number | null;
  /** New tokens over the whole time of the mode's rewrites (image encoding and prefill included). */
  tokensPerSecond: number | null;
}

export interface LevelSpread {
  /** P(none) over the safe probes, under the constraint; null when none had a score. */
  safe: Pick<Summary, 'n' | 'min' | 'median' | 'max'> | null;
  unsafe: Pick<Summary, 'n' | 'min' | 'median' | 'max'> | null;
  /** Every safe probe's P(none) above every unsafe probe's: some strictness tells them apart. Null without scores. */
  separates: boolean | null;
}

const ANALYSIS_FIELDS = ['textual', 'visual', 'crossModal'] as const;

/** Whether our parser reads the whole full-reasoning format in `raw`: the bar a model must clear to run unconstrained. */
export function isParsedComplete(raw: string): boolean {
  const parsed = parseRewriteOutput(raw);
  const everySection = formatTags('full').every((tag) => parsed.sectionsSeen.includes(tag));
  return (
    everySection &&
    ANALYSIS_FIELDS.every((field) => parsed[field] !== '') &&
    parsed.level !== null &&
    parsed.category !== null &&
    parsed.refinedComplete
  );
}

/** The fields of a probe run that come from the decision on its output. */
export function describeDecision(rewrite: RewriteResult): Pick<ProbeRun, 'outcome' | 'fallbackReason' | 'level' | 'category' | 'pNone'> {
  return {
    outcome: rewrite.outcome,
    fallbackReason: rewrite.outcome === 'fallback' ? rewrite.reason : null,
    level: rewrite.analysis.level,
    category: rewrite.analysis.category,
    pNone: rewrite.levelProbabilities?.none ?? null,
  };
}

function countLabel(runs: readonly ProbeRun[], label: SafetyLabel): LabelCounts {
  const labelled = runs.filter((run) => run.label === label);
  return { runs: labelled.length, passedThrough: labelled.filter((run) => run.outcome === 'passed-through').length };
}

export function summarizeMode(runs: readonly ProbeRun[], mode: ProbeMode): ModeSummary {
  const inMode = runs.filter((run) => run.mode === mode);
  const outcomes: Record<RewriteOutcome, number> = { rewritten: 0, 'passed-through': 0, fallback: 0 };
  const fallbackReasons: Partial<Record<FallbackReason, number>> = {};
  for (const run of inMode) {
    outcomes[run.outcome] += 1;
    if (run.fallbackReason) fallbackReasons[run.fallbackReason] = (fallbackReasons[run.fallbackReason] ?? 0) + 1;
  }
  const totalMs = inMode.reduce((sum, run) => sum + run.ms, 0);
  const tokens = inMode.reduce((sum, run) => sum + run.tokens, 0);
  return {
    runs: inMode.length,
    parsedComplete: inMode.filter((run) => run.parsedComplete).length,
    constraintComplete: mode === 'constrained' ? inMode.filter((run) => run.constraintComplete === true).length : null,
    outcomes,
    fallbackReasons,
    safe: countLabel(inMode, 'safe'),
    unsafe: countLabel(inMode, 'unsafe'),
    medianMs: inMode.length > 0 ? summarize(inMode.map((run) => run.ms)).median : null,
    tokensPerSecond: totalMs > 0 ? (tokens * 1000) / totalMs : null,
  };
}

function spreadOf(values: readonly number[]): LevelSpread['safe'] {
  if (values.length === 0) return null;
  const { n, min, median, max } = summarize(values);
  return { n, min, median, max };
}

/** P(none) on the safe against the unsafe probes, under the constraint. */
export function levelSpread(runs: readonly ProbeRun[]): LevelSpread {
  const scores = (label: SafetyLabel) =>
    runs.flatMap((run) => (run.mode === 'constrained' && run.label === label && run.pNone !== null ? [run.pNone] : []));
  const safe = spreadOf(scores('safe'));
  const unsafe = spreadOf(scores('unsafe'));
  return { safe, unsafe, separates: safe && unsafe ? safe.min > unsafe.max : null };
}
