import { describe, expect, it } from 'vitest';
import { CHOSEN_STATIC_DEFENCE_EXPLANATION, outcomeExplanation, outcomeTitle } from '../../src/core/outcome-label.ts';
import { decideRewrite, staticDefenceResult } from '../../src/core/rewrite-decision.ts';
import { FALLBACK_REASONS } from '../../src/core/rewrite-format.ts';

describe('outcome labels', () => {
  it('calls a static defence the user picked "chosen", never a fallback', () => {
    const chosen = staticDefenceResult('Describe this picture.', 'no-model');
    expect(outcomeTitle(chosen)).toBe('Static defence (chosen)');
    expect(outcomeExplanation(chosen)).toBe(CHOSEN_STATIC_DEFENCE_EXPLANATION);
    expect(`${outcomeTitle(chosen)} ${outcomeExplanation(chosen)}`).not.toMatch(/fallback|no rewriting model/i);
  });

  it.each(FALLBACK_REASONS.filter((reason) => reason !== 'no-model'))('names the reason of a %s fallback in words', (reason) => {
    const fallback = staticDefenceResult('p', reason);
    expect(outcomeTitle(fallback)).toMatch(/^Fallback: static defence \([a-z][a-z -]+\)$/);
    expect(outcomeExplanation(fallback)).toBe(fallback.explanation);
  });

  it('gives every reason its own words', () => {
    const titles = FALLBACK_REASONS.map((reason) => outcomeTitle(staticDefenceResult('p', reason)));
    expect(new Set(titles).size).toBe(FALLBACK_REASONS.length);
  });

  it('labels a decided fallback by its reason', () => {
    const rewrite = decideRewrite({ rawOutput: 'noise', originalPrompt: 'p', stopReason: 'end-of-text', levelProbabilities: null, strictness: 0.8 });
    expect(rewrite.outcome).toBe('fallback');
    expect(outcomeTitle(rewrite)).toBe('Fallback: static defence (no readable risk level)');
  });

  it('keeps the titles of a rewrite and a pass-through', () => {
    const base = { refinedPrompt: 'x', analysis: staticDefenceResult('p', 'stopped').analysis, levelProbabilities: null, explanation: 'e' };
    expect(outcomeTitle({ ...base, outcome: 'rewritten' })).toBe('Rewritten');
    expect(outcomeTitle({ ...base, outcome: 'passed-through' })).toBe('Passed through unchanged');
  });
});
