/**
 * The paper-shaped table and the strictness sweep, from judged results. A result with an error counts only under
 * `errors`; of the rest, `scored` + `unparseable` make up the answered results. Means are over the scored ones,
 * rates over the answered ones; rewriter latency, tokens and outcomes over every rewriter record. Each (method,
 * target) also gets a row over every benchmark, named ALL_BENCHMARKS.
 */
import { METHODS, type JudgedResult, type MetricsRow, type RewriteOutcome, type SweepPoint } from './eval-types.ts';

/** The benchmark name of the rows over every benchmark. */
export const ALL_BENCHMARKS = 'all';

const OUTCOMES = ['rewritten', 'passed-through', 'fallback'] as const satisfies readonly RewriteOutcome[];

export function computeRows(results: readonly JudgedResult[]): MetricsRow[] {
  const groups = groupBy(withAllBenchmarks(results), (result) => [result.benchmark, result.method, result.target]);
  return [...groups.values()].map((group) => rowOf(group)).sort(compareCells);
}

export function computeSweep(points: ReadonlyArray<{ strictness: number; results: readonly JudgedResult[] }>): SweepPoint[] {
  return [...points]
    .sort((a, b) => a.strictness - b.strictness)
    .flatMap(({ strictness, results }) => {
      const groups = groupBy(withAllBenchmarks(results), (result) => [result.benchmark, result.target]);
      return [...groups.values()]
        .map((group): SweepPoint => {
          const [first] = group;
          if (first === undefined) throw new RangeError('an empty group');
          return {
            strictness,
            target: first.target,
            benchmark: first.benchmark,
            ...scoreMeans(group),
            overRefusalRate: overRefusalRate(group),
            outcomeMix: outcomeMix(group),
          };
        })
        .sort(compareCells);
    });
}

function rowOf(group: readonly JudgedResult[]): MetricsRow {
  const [first] = group;
  if (first === undefined) throw new RangeError('an empty group');
  const isRewriter = first.method === 'rewriter';
  const rewriterRuns = group.flatMap((result) => (result.rewriter === null ? [] : [result.rewriter]));
  return {
    benchmark: first.benchmark,
    method: first.method,
    target: first.target,
    items: group.length,
    scored: answered(group).filter((result) => result.judge.kind === 'scored').length,
    unparseable: answered(group).filter((result) => result.judge.kind === 'unparseable').length,
    errors: group.length - answered(group).length,
    ...scoreMeans(group),
    refusalRate: refusalRate(group),
    overRefusalRate: overRefusalRate(group),
    rewriterMs:
      isRewriter && rewriterRuns.length > 0
        ? { median: quantile(rewriterRuns.map((run) => run.ms), 0.5), p90: quantile(rewriterRuns.map((run) => run.ms), 0.9) }
        : null,
    rewriterTokens: isRewriter ? mean(rewriterRuns.map((run) => run.newTokens)) : null,
    outcomeMix: isRewriter ? outcomeMix(group) : null,
  };
}

/** The results again under the benchmark ALL_BENCHMARKS. */
function withAllBenchmarks(results: readonly JudgedResult[]): JudgedResult[] {
  return [...results, ...results.map((result) => ({ ...result, benchmark: ALL_BENCHMARKS }))];
}

function scoreMeans(group: readonly JudgedResult[]): { safety: number | null; helpfulness: number | null } {
  const verdicts = answered(group).flatMap((result) => (result.judge.kind === 'scored' ? [result.judge] : []));
  return { safety: mean(verdicts.map((verdict) => verdict.safety)), helpfulness: mean(verdicts.map((verdict) => verdict.helpfulness)) };
}

/** The results without an error: an errored result was never answered, so it is neither judged nor read for refusals. */
function answered(group: readonly JudgedResult[]): JudgedResult[] {
  return group.filter((result) => result.error === null);
}

/** Refused among the answered results; null when none was answered. */
function refusalRate(group: readonly JudgedResult[]): number | null {
  const answers = answered(group);
  return answers.length === 0 ? null : answers.filter((result) => result.refusal.refused).length / answers.length;
}

function overRefusalRate(group: readonly JudgedResult[]): number | null {
  return refusalRate(group.filter((result) => result.label === 'safe'));
}

function outcomeMix(group: readonly JudgedResult[]): Record<RewriteOutcome, number> {
  const mix = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<RewriteOutcome, number>;
  for (const result of group) if (result.rewriter !== null) mix[result.rewriter.outcome] += 1;
  return mix;
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** The q-quantile by linear interpolation between the two nearest ranks (as scripts/bench/stats.ts does). */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = sorted[Math.floor(position)] ?? Number.NaN;
  const above = sorted[Math.ceil(position)] ?? Number.NaN;
  return below + (above - below) * (position - Math.floor(position));
}

function groupBy<T>(values: readonly T[], keyOf: (value: T) => readonly string[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const key = JSON.stringify(keyOf(value));
    const group = groups.get(key);
    if (group) group.push(value);
    else groups.set(key, [value]);
  }
  return groups;
}

interface Cell {
  benchmark: string;
  target: string;
  method?: string;
}

/** Benchmarks by name with ALL_BENCHMARKS last, then methods in METHODS order, then targets by name. */
function compareCells(a: Cell, b: Cell): number {
  return compareBenchmarks(a.benchmark, b.benchmark) || methodRank(a.method) - methodRank(b.method) || compareText(a.target, b.target);
}

function compareBenchmarks(a: string, b: string): number {
  return Number(a === ALL_BENCHMARKS) - Number(b === ALL_BENCHMARKS) || compareText(a, b);
}

function methodRank(method: string | undefined): number {
  return METHODS.findIndex((name) => name === method);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
