import type { StopReason } from './rewriter-api.ts';

export interface RunEnd {
  interrupted: boolean;
  /** Null for an unconstrained run; otherwise whether the output reached the format's end. */
  constraintComplete: boolean | null;
  tokenCount: number;
  maxNewTokens: number;
}

/**
 * How a generation ended. A constrained run ends on its own only by completing the format: one that stopped short
 * (a token outside the mask, as NaN logits would give, or the token limit) counts as cut short, so the decision can
 * never pass its prompt through.
 */
export function stopReasonOf(end: RunEnd): StopReason {
  if (end.interrupted) return 'stopped';
  if (end.constraintComplete !== null) return end.constraintComplete ? 'end-of-text' : 'max-tokens';
  return end.tokenCount < end.maxNewTokens ? 'end-of-text' : 'max-tokens';
}
