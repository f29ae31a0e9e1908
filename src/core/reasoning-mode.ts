import { DEFAULT_MAX_NEW_TOKENS } from './rewrite-prompt.ts';

/**
 * How much the rewriter reasons before its verdict: three analyses (full), one combined analysis (brief), or none
 * (off). Fewer analyses mean fewer generated tokens, which is most of a rewrite's time on a CPU.
 */
export type ReasoningMode = 'full' | 'brief' | 'off';

export const REASONING_MODES: readonly ReasoningMode[] = Object.freeze(['full', 'brief', 'off'] as const);

export const DEFAULT_REASONING_MODE: ReasoningMode = 'full';

/**
 * The output limit each mode needs. Brief and off get the smallest multiple of 16 (the output limit field's step) at
 * which their section budgets are not shrunk, counting every tag and value character as its own token (the worst
 * case, see fixedTokenBound in output-format-plan.ts): brief 60 + 160 free tokens + 91 fixed = 311 → 320; off 160
 * free + 75 fixed = 235 → 240. Full keeps the app's long-standing default.
 */
export const REASONING_MAX_NEW_TOKENS: Readonly<Record<ReasoningMode, number>> = Object.freeze({
  full: DEFAULT_MAX_NEW_TOKENS,
  brief: 320,
  off: 240,
});

/** The setting's option for each mode: its name and one line on what the model writes. */
export const REASONING_LABELS: Readonly<Record<ReasoningMode, { label: string; description: string }>> = Object.freeze({
  full: {
    label: 'Full',
    description: 'Three short analyses (the wording, the image, the two together), then the verdict. The most to read, and the slowest.',
  },
  brief: {
    label: 'Brief',
    description: 'One combined analysis of a sentence or two, then the verdict.',
  },
  off: {
    label: 'Off',
    description: 'No analysis: only the level, the category and the refined prompt. The fewest tokens, for a device without a GPU.',
  },
});

/** What the result view and the reports say about a decision made in each mode. */
export const REASONING_EXPLANATIONS: Readonly<Record<ReasoningMode, string>> = Object.freeze({
  full: 'Reasoning: full — the model analysed the wording, the image and the two together before its verdict.',
  brief: 'Reasoning: brief — the model wrote one combined analysis of the wording and the image before its verdict.',
  off: 'Reasoning: off — the model gave only a level, a category and the refined prompt.',
});

export function isReasoningMode(value: unknown): value is ReasoningMode {
  return typeof value === 'string' && (REASONING_MODES as readonly string[]).includes(value);
}

/**
 * The output limit after switching from one mode to another: the new mode's limit when the current one is the old
 * mode's, so a limit the user set to a number of their own stays as it is.
 */
export function outputLimitAfterReasoningChange(current: number, from: ReasoningMode, to: ReasoningMode): number {
  return current === REASONING_MAX_NEW_TOKENS[from] ? REASONING_MAX_NEW_TOKENS[to] : current;
}
