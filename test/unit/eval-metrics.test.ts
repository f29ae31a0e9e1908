import { describe, expect, it } from 'vitest';
import type { JudgedResult, MethodName, RewriteOutcome, SafetyLabel } from '../../scripts/eval/eval-types.ts';
import { computeRows, computeSweep } from '../../scripts/eval/metrics.ts';

interface Case {
  benchmark: string;
  method: MethodName;
  target: string;
  label: SafetyLabel;
  /** [safety, helpfulness]; 'unparseable'; or 'error' (the call failed, so nothing was judged). */
  judged: readonly [number, number] | 'unparseable' | 'error';
  refused?: boolean;
  rewriter?: { ms: number; newTokens: number; outcome: RewriteOutcome };
}

let counter = 0;
function result(spec: Case): JudgedResult {
  counter += 1;
  const failed = spec.judged === 'error';
  return {
    itemId: `${spec.benchmark}/${counter}`,
    method: spec.method,
    target: spec.target,
    promptSent: 'p',
    answer: failed ? '' : 'an answer',
    methodRefused: false,
    rewriter: spec.rewriter
      ? {
          raw: '',
          stopReason: 'end-of-text',
          levelProbabilities: null,
          imageTextLines: null,
          heldFormatTags: false,
          outcome: spec.rewriter.outcome,
          level: null,
          category: null,
          finalPrompt: 'p',
          ms: spec.rewriter.ms,
          newTokens: spec.rewriter.newTokens,
        }
      : null,
    notes: {},
    usage: [],
    error: failed ? 'the target timed out' : null,
    benchmark: spec.benchmark,
    prompt: 'p',
    image: '/nowhere.png',
    label: spec.label,
    category: null,
    judge:
      spec.judged === 'error' || spec.judged === 'unparseable'
        ? { kind: 'unparseable', raw: '' }
        : { kind: 'scored', safety: spec.judged[0], helpfulness: spec.judged[1], rationale: 'r' },
    // An errored result reads as refused (its answer is empty), which the rates must not count.
    refusal: { refused: failed || (spec.refused ?? false), matched: null },
  };
}

const NO_REWRITER = { rewriterMs: null, rewriterTokens: null, outcomeMix: null };

/*
 * The table, by hand (the input is deliberately out of order):
 *   figstep · none · t1:  unsafe 2/8 · unsafe 6/4 refused · safe 10/9 · safe unparseable refused · unsafe error
 *   figstep · static-defence · t1: safe 10/7
 *   figstep · rewriter · t1: unsafe 9/5 (100 ms, 40 tok, rewritten) · safe 10/10 (300 ms, 0, passed) ·
 *                            unsafe 8/2 refused (200 ms, 20, fallback) · unsafe 10/6 (1000 ms, 60, rewritten)
 *   siuo · none · t1: unsafe 4/3        siuo · none · t2: safe error
 */
const RESULTS = [
  result({ benchmark: 'siuo', method: 'none', target: 't2', label: 'safe', judged: 'error' }),
  result({ benchmark: 'siuo', method: 'none', target: 't1', label: 'unsafe', judged: [4, 3] }),
  result({ benchmark: 'figstep', method: 'rewriter', target: 't1', label: 'unsafe', judged: [9, 5], rewriter: { ms: 100, newTokens: 40, outcome: 'rewritten' } }),
  result({ benchmark: 'figstep', method: 'rewriter', target: 't1', label: 'safe', judged: [10, 10], rewriter: { ms: 300, newTokens: 0, outcome: 'passed-through' } }),
  result({ benchmark: 'figstep', method: 'rewriter', target: 't1', label: 'unsafe', judged: [8, 2], refused: true, rewriter: { ms: 200, newTokens: 20, outcome: 'fallback' } }),
  result({ benchmark: 'figstep', method: 'rewriter', target: 't1', label: 'unsafe', judged: [10, 6], rewriter: { ms: 1000, newTokens: 60, outcome: 'rewritten' } }),
  result({ benchmark: 'figstep', method: 'static-defence', target: 't1', label: 'safe', judged: [10, 7] }),
  result({ benchmark: 'figstep', method: 'none', target: 't1', label: 'unsafe', judged: [2, 8] }),
  result({ benchmark: 'figstep', method: 'none', target: 't1', label: 'unsafe', judged: [6, 4], refused: true }),
  result({ benchmark: 'figstep', method: 'none', target: 't1', label: 'safe', judged: [10, 9] }),
  result({ benchmark: 'figstep', method: 'none', target: 't1', label: 'safe', judged: 'unparseable', refused: true }),
  result({ benchmark: 'figstep', method: 'none', target: 't1', label: 'unsafe', judged: 'error' }),
];

const figstepNone = {
  method: 'none', target: 't1', items: 5, scored: 3, unparseable: 1, errors: 1,
  safety: 6, helpfulness: 7, refusalRate: 0.5, overRefusalRate: 0.5, ...NO_REWRITER,
};
const staticDefence = {
  method: 'static-defence', target: 't1', items: 1, scored: 1, unparseable: 0, errors: 0,
  safety: 10, helpfulness: 7, refusalRate: 0, overRefusalRate: 0, ...NO_REWRITER,
};
const rewriter = {
  method: 'rewriter', target: 't1', items: 4, scored: 4, unparseable: 0, errors: 0,
  safety: 9.25, helpfulness: 5.75, refusalRate: 0.25, overRefusalRate: 0,
  // ms sorted 100, 200, 300, 1000: median between 200 and 300; p90 at rank 2.7, 300 + 0.7 × 700.
  rewriterMs: { median: 250, p90: expect.closeTo(790, 9) }, rewriterTokens: 30, outcomeMix: { rewritten: 2, 'passed-through': 1, fallback: 1 },
};
const siuoT1 = {
  method: 'none', target: 't1', items: 1, scored: 1, unparseable: 0, errors: 0,
  safety: 4, helpfulness: 3, refusalRate: 0, overRefusalRate: null, ...NO_REWRITER,
};
const siuoT2 = {
  method: 'none', target: 't2', items: 1, scored: 0, unparseable: 0, errors: 1,
  safety: null, helpfulness: null, refusalRate: null, overRefusalRate: null, ...NO_REWRITER,
};

describe('computeRows', () => {
  const rows = computeRows(RESULTS);

  it('orders rows by benchmark (all last), then method in METHODS order, then target', () => {
    expect(rows.map((row) => `${row.benchmark} ${row.method} ${row.target}`)).toEqual([
      'figstep none t1',
      'figstep static-defence t1',
      'figstep rewriter t1',
      'siuo none t1',
      'siuo none t2',
      'all none t1',
      'all none t2',
      'all static-defence t1',
      'all rewriter t1',
    ]);
  });

  it('counts errors apart, means over scored results and rates over answered ones', () => {
    expect(rows[0]).toEqual({ benchmark: 'figstep', ...figstepNone });
    expect(rows[1]).toEqual({ benchmark: 'figstep', ...staticDefence });
    expect(rows[3]).toEqual({ benchmark: 'siuo', ...siuoT1 });
    expect(rows[4]).toEqual({ benchmark: 'siuo', ...siuoT2 });
  });

  it('gives the rewriter its latency median and p90, mean new tokens and outcome mix', () => {
    expect(rows[2]).toEqual({ benchmark: 'figstep', ...rewriter });
  });

  it('adds an all-benchmarks row per method and target', () => {
    // figstep none t1 and siuo none t1 together: safety (2+6+10+4)/4, helpfulness (8+4+9+3)/4, refusals 2 of 5 answered.
    expect(rows[5]).toEqual({
      benchmark: 'all', method: 'none', target: 't1', items: 6, scored: 4, unparseable: 1, errors: 1,
      safety: 5.5, helpfulness: 6, refusalRate: 0.4, overRefusalRate: 0.5, ...NO_REWRITER,
    });
    expect(rows[6]).toEqual({ benchmark: 'all', ...siuoT2 });
    expect(rows[8]).toEqual({ benchmark: 'all', ...rewriter });
  });

  it('lists every outcome in the mix even when the rewriter never chose it', () => {
    const [row] = computeRows([
      result({ benchmark: 'x', method: 'rewriter', target: 't', label: 'safe', judged: [10, 10], rewriter: { ms: 5, newTokens: 1, outcome: 'passed-through' } }),
    ]);
    expect(row?.outcomeMix).toEqual({ rewritten: 0, 'passed-through': 1, fallback: 0 });
    expect(row?.rewriterMs).toEqual({ median: 5, p90: 5 });
  });

  it('gives no rows for no results', () => {
    expect(computeRows([])).toEqual([]);
  });
});

describe('computeSweep', () => {
  const at = (outcome: RewriteOutcome, label: SafetyLabel, judged: readonly [number, number], refused = false) =>
    result({ benchmark: 'figstep', method: 'rewriter', target: 't1', label, judged, refused, rewriter: { ms: 1, newTokens: 1, outcome } });

  it('gives each strictness, in order, its scores, over-refusal and outcome mix per benchmark and target', () => {
    const sweep = computeSweep([
      { strictness: 0.9, results: [at('rewritten', 'unsafe', [9, 6]), at('fallback', 'safe', [10, 4], true)] },
      { strictness: 0.5, results: [at('passed-through', 'unsafe', [6, 8]), at('passed-through', 'safe', [10, 9])] },
    ]);
    const loose = { strictness: 0.5, target: 't1', safety: 8, helpfulness: 8.5, overRefusalRate: 0, outcomeMix: { rewritten: 0, 'passed-through': 2, fallback: 0 } };
    const strict = { strictness: 0.9, target: 't1', safety: 9.5, helpfulness: 5, overRefusalRate: 1, outcomeMix: { rewritten: 1, 'passed-through': 0, fallback: 1 } };
    expect(sweep).toEqual([
      { ...loose, benchmark: 'figstep' },
      { ...loose, benchmark: 'all' },
      { ...strict, benchmark: 'figstep' },
      { ...strict, benchmark: 'all' },
    ]);
  });
});
