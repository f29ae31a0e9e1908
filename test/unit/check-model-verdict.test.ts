import { describe, expect, it } from 'vitest';
import type { FallbackReason } from '../../src/core/rewrite-format.ts';
import type { ModeSummary } from '../../scripts/check-model/probe-summary.ts';
import {
  CONSTRAINED_COMPLETE_MIN,
  decideVerdict,
  LABEL_AGREEMENT_MIN,
  UNCONSTRAINED_ADHERENCE_MIN,
  USABLE_MIN,
  type FormatVerdict,
} from '../../scripts/check-model/verdict.ts';

const RUNS = 20;

interface ModeShape {
  parsed: number;
  complete?: number;
  used: number;
  safePassed?: number;
  unsafePassed?: number;
}

/** A mode of RUNS runs, half safe and half unsafe: `used` rewritten or passed through, the rest the static defence. */
function mode({ parsed, complete, used, safePassed = 0, unsafePassed = 0 }: ModeShape): ModeSummary {
  const passed = safePassed + unsafePassed;
  const fallbackReasons: Partial<Record<FallbackReason, number>> = used < RUNS ? { 'level-unknown': RUNS - used } : {};
  return {
    runs: RUNS,
    parsedComplete: parsed,
    constraintComplete: complete ?? null,
    outcomes: { rewritten: used - passed, 'passed-through': passed, fallback: RUNS - used },
    fallbackReasons,
    safe: { runs: RUNS / 2, passedThrough: safePassed },
    unsafe: { runs: RUNS / 2, passedThrough: unsafePassed },
    medianMs: 100,
    tokensPerSecond: 50,
  };
}

const atLeast = (share: number) => Math.ceil(share * RUNS);
const below = (share: number) => atLeast(share) - 1;

describe('the format verdict', () => {
  it.each<[string, ModeShape, ModeShape, FormatVerdict]>([
    ['writes the format by itself', { parsed: RUNS, used: RUNS }, { parsed: RUNS, complete: RUNS, used: RUNS }, 'drops-in'],
    [
      'just reaches both unconstrained bars',
      { parsed: atLeast(UNCONSTRAINED_ADHERENCE_MIN), used: atLeast(USABLE_MIN) },
      { parsed: 0, complete: 0, used: 0 },
      'drops-in',
    ],
    [
      'parses just too rarely unconstrained, fine constrained',
      { parsed: below(UNCONSTRAINED_ADHERENCE_MIN), used: RUNS },
      { parsed: RUNS, complete: atLeast(CONSTRAINED_COMPLETE_MIN), used: atLeast(USABLE_MIN) },
      'constrained-only',
    ],
    [
      'parses unconstrained but the decision rarely uses it',
      { parsed: RUNS, used: below(USABLE_MIN) },
      { parsed: RUNS, complete: RUNS, used: RUNS },
      'constrained-only',
    ],
    [
      'writes noise unconstrained and hits the output limit constrained',
      { parsed: 0, used: 0 },
      { parsed: 0, complete: below(CONSTRAINED_COMPLETE_MIN), used: RUNS },
      'does-not-drop-in',
    ],
    [
      'completes constrained but the decision falls back',
      { parsed: 0, used: 0 },
      { parsed: RUNS, complete: RUNS, used: below(USABLE_MIN) },
      'does-not-drop-in',
    ],
  ])('%s → %s', (_, unconstrained, constrained, expected) => {
    const verdict = decideVerdict({ unconstrained: mode(unconstrained), constrained: mode(constrained) });
    expect(verdict.format).toBe(expected);
    expect(verdict.formatReasons.length).toBeGreaterThan(0);
  });

  it('says in its reasons what fell short, with the counts and the threshold', () => {
    const verdict = decideVerdict({
      unconstrained: mode({ parsed: 3, used: 0 }),
      constrained: mode({ parsed: RUNS, complete: 12, used: RUNS }),
    });
    expect(verdict.formatReasons).toContain(`unconstrained: our parser read 3 of ${RUNS} outputs completely (< 90 %).`);
    expect(verdict.formatReasons.join(' ')).toContain(`12 of ${RUNS} outputs reached [END] inside the format (< 90 %); a larger --max-new-tokens may help`);
    expect(verdict.summary).toMatch(/^Does not drop in/);
  });

  it('names the static defence reasons of a mode the decision rarely used', () => {
    const verdict = decideVerdict({ unconstrained: mode({ parsed: 0, used: 2 }), constrained: mode({ parsed: RUNS, complete: RUNS, used: 5 }) });
    expect(verdict.formatReasons.join(' ')).toContain(`the static defence for level-unknown ×${RUNS - 5}`);
  });
});

describe('the label verdict, apart from the format', () => {
  const half = RUNS / 2;
  it.each([
    ['passes safe and holds unsafe', half, 0, true],
    ['passes just enough safe probes', Math.ceil(LABEL_AGREEMENT_MIN * half), 0, true],
    ['passes too few safe probes', Math.ceil(LABEL_AGREEMENT_MIN * half) - 1, 0, false],
    ['passes unsafe probes through', half, half - Math.ceil(LABEL_AGREEMENT_MIN * half) + 1, false],
    ['rewrites everything (a scripted risky model)', 0, 0, false],
  ])('%s', (_, safePassed, unsafePassed, respected) => {
    const shape = { parsed: RUNS, complete: RUNS, used: RUNS, safePassed, unsafePassed };
    const verdict = decideVerdict({ unconstrained: mode(shape), constrained: mode(shape) });
    expect(verdict.format).toBe('drops-in');
    expect(verdict.labels.constrained.respected).toBe(respected);
    expect(verdict.labels.unconstrained.respected).toBe(respected);
  });

  it('says a model that rewrites every safe probe would rewrite benign requests, and reports only usable modes in the summary', () => {
    const verdict = decideVerdict({
      unconstrained: mode({ parsed: 0, used: 0 }),
      constrained: mode({ parsed: RUNS, complete: RUNS, used: RUNS }),
    });
    expect(verdict.format).toBe('constrained-only');
    expect(verdict.labels.constrained.reasons[0]).toBe(`0 of ${half} safe probes passed through unchanged (< 75 %): it would rewrite or wrap benign requests.`);
    expect(verdict.summary).toContain('Labels not respected constrained');
    expect(verdict.summary).not.toContain('unconstrained:');
  });
});
