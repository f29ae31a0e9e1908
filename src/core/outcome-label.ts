import type { FallbackReason, RewriteResult } from './rewrite-format.ts';

/** The static defence the user picked: the only way to the 'no-model' reason (no model was asked to run). */
export function isChosenStaticDefence(rewrite: RewriteResult): boolean {
  return rewrite.outcome === 'fallback' && rewrite.reason === 'no-model';
}

/** Why the decision fell back, in a few words, for the outcome's title. */
const FALLBACK_TITLES: Readonly<Record<FallbackReason, string>> = {
  'empty-output': 'the rewriter wrote nothing',
  'level-unknown': 'no readable risk level',
  'missing-refined-prompt': 'no refined prompt',
  truncated: 'the output was cut short',
  'too-long': 'the refined prompt was too long',
  'wrong-language': 'the refined prompt changed language',
  'unchanged-at-risk': 'unchanged although at risk',
  'format-in-prompt': 'format tags in the refined prompt',
  'image-format-tags': 'format tags written in the image',
  stopped: 'stopped before the end',
  'no-model': 'no model ran',
};

/**
 * The outcome's title: a static defence the user chose is not a fallback, and a fallback always names its reason.
 * "Static defence (chosen)", "Fallback: static defence (no readable risk level)", "Rewritten", "Passed through unchanged".
 */
export function outcomeTitle(rewrite: RewriteResult): string {
  switch (rewrite.outcome) {
    case 'rewritten':
      return 'Rewritten';
    case 'passed-through':
      return 'Passed through unchanged';
    case 'fallback':
      return isChosenStaticDefence(rewrite) ? 'Static defence (chosen)' : `Fallback: static defence (${FALLBACK_TITLES[rewrite.reason]})`;
  }
}

export const CHOSEN_STATIC_DEFENCE_EXPLANATION =
  'No model runs: your prompt goes on verbatim inside a fixed safety instruction. Instant and offline, but it does not look at the image.';

/** The sentence under the title: the decision's own, except for a chosen static defence, where no decision was made. */
export function outcomeExplanation(rewrite: RewriteResult): string {
  return isChosenStaticDefence(rewrite) ? CHOSEN_STATIC_DEFENCE_EXPLANATION : rewrite.explanation;
}
