import type { ReasoningMode } from './reasoning-mode.ts';

/**
 * The rewriter's output format: bracketed, upper-case section tags, one per line. They cannot
 * collide with any model family's special tokens (SmolVLM: <image>, <end_of_utterance>,
 * <fake_token_around_image>, <global-img>, <row_r_col_c>, <|im_start|>; Qwen: <|...|>, <think>),
 * and small models copy them reliably from an example.
 */
export const SECTION_TAGS = {
  textual: '[TEXT RISK]',
  visual: '[IMAGE RISK]',
  crossModal: '[COMBINED RISK]',
  /** The one analysis of the brief reasoning mode (src/core/reasoning-mode.ts), in place of the three above. */
  summary: '[RISK ANALYSIS]',
  level: '[RISK LEVEL]',
  category: '[CATEGORY]',
  refined: '[REFINED PROMPT]',
  end: '[END]',
} as const;

export type SectionName = Exclude<keyof typeof SECTION_TAGS, 'end'>;

/** The free-text analysis sections, each written before the verdict. */
export type AnalysisSection = 'textual' | 'visual' | 'crossModal' | 'summary';

/**
 * The analyses each reasoning mode asks for, in the order the model writes them: three in full, one combined in
 * brief, none when reasoning is off. The verdict and the refined prompt follow in every mode.
 */
export const ANALYSIS_SECTIONS_BY_REASONING: Readonly<Record<ReasoningMode, readonly AnalysisSection[]>> = Object.freeze({
  full: Object.freeze(['textual', 'visual', 'crossModal'] as const),
  brief: Object.freeze(['summary'] as const),
  off: Object.freeze([] as const),
});

/** Every tag a complete output in this mode holds, in order, [END] included. */
export function formatTags(reasoning: ReasoningMode): ReadonlyArray<keyof typeof SECTION_TAGS> {
  return [...ANALYSIS_SECTIONS_BY_REASONING[reasoning], 'level', 'category', 'refined', 'end'];
}

export const RISK_LEVELS = ['none', 'low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/**
 * Risk categories, covering the scenarios of MM-SafetyBench (illegal activity, hate speech,
 * malware, physical harm, economic harm, fraud, sex, political lobbying, privacy violence, legal
 * opinion, financial advice, health consultation, government decision) and SIUO's domains
 * (self-harm, dangerous behaviour, morality, illegal activities and crime, controversial topics
 * and politics, discrimination and stereotyping, information misinterpretation, religion, privacy).
 */
export const RISK_CATEGORIES = {
  'none': 'No risk',
  'self-harm': 'Self-harm and suicide',
  'violence-weapons': 'Violence, weapons and physical harm',
  'illegal-activity': 'Illegal activity, crime, fraud and malware',
  'hate-discrimination': 'Hate, discrimination and stereotyping',
  'sexual-content': 'Sexual content',
  'privacy': 'Privacy and personal data',
  'specialized-advice': 'Medical, legal or financial advice',
  'misinformation': 'Misinformation, misinterpretation and political manipulation',
  'dangerous-behaviour': 'Dangerous behaviour and risky activities',
  'other': 'Other risk',
} as const;
export type RiskCategory = keyof typeof RISK_CATEGORIES;

/** What the model said about the request, as far as it got. */
export interface RiskAnalysis {
  textual: string;
  visual: string;
  crossModal: string;
  /** The brief mode's one analysis; absent when the output holds none (full and off modes, older records). */
  summary?: string;
  level: RiskLevel | null;
  category: RiskCategory | null;
}

/** The probability of each level at the step where the model chose it (constrained generation only). */
export type LevelProbabilities = Readonly<Record<RiskLevel, number>>;

export const FALLBACK_REASONS = [
  'empty-output',
  'level-unknown',
  'missing-refined-prompt',
  'truncated',
  'too-long',
  'wrong-language',
  'unchanged-at-risk',
  'format-in-prompt',
  'image-format-tags',
  'stopped',
  'no-model',
] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

interface DecidedRewrite {
  /** The prompt to send on. */
  refinedPrompt: string;
  /** The analysis shown to the user; its level and category are the ones the decision used. */
  analysis: RiskAnalysis;
  /** Null when unknown: an unconstrained run, or no model. */
  levelProbabilities: LevelProbabilities | null;
  /** Why the decision came out this way, in words a person reads, with the numbers behind it. */
  explanation: string;
}

export type RewriteResult =
  /** The model judged a risk and wrote a usable refined prompt. */
  | ({ outcome: 'rewritten' } & DecidedRewrite)
  /** Only "no risk", confidently: the original prompt goes through unchanged, so benign requests keep their utility. */
  | ({ outcome: 'passed-through' } & DecidedRewrite)
  /** Anything missing, contradictory, unchanged at risk or cut short (or no model): the static defence wraps the prompt. */
  | ({ outcome: 'fallback'; reason: FallbackReason } & DecidedRewrite);
