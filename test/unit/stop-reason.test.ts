import { describe, expect, it } from 'vitest';
import { decideRewrite } from '../../src/core/rewrite-decision.ts';
import { stopReasonOf } from '../../src/core/stop-reason.ts';

const end = { interrupted: false, tokenCount: 120, maxNewTokens: 384 };

describe('stopReasonOf', () => {
  it.each([
    [{ ...end, interrupted: true, constraintComplete: true }, 'stopped'],
    [{ ...end, constraintComplete: true }, 'end-of-text'],
    // The format broke off early (a token outside the mask ended the run): cut short, not finished.
    [{ ...end, constraintComplete: false }, 'max-tokens'],
    [{ ...end, constraintComplete: null }, 'end-of-text'],
    [{ ...end, tokenCount: 384, constraintComplete: null }, 'max-tokens'],
  ] as const)('%j → %s', (run, reason) => {
    expect(stopReasonOf(run)).toBe(reason);
  });

  it('lets no constrained run that broke off after "none" pass its prompt through', () => {
    const rawOutput = '[TEXT RISK] x\n[IMAGE RISK] y\n[COMBINED RISK] z\n[RISK LEVEL] none\n[CATEGORY] none\n[REFINED PROMPT] Wha';
    const stopReason = stopReasonOf({ ...end, constraintComplete: false });
    const result = decideRewrite({ rawOutput, originalPrompt: 'What is this?', stopReason, levelProbabilities: null, strictness: 0 });
    expect(result.outcome).toBe('fallback');
  });
});
