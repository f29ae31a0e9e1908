import type { QuotedImageText } from './image-text.ts';
import { parseRewriteOutput, rawRefinedSpan, scanVerdictFields, type VerdictFields } from './rewrite-parser.ts';
import {
  RISK_CATEGORIES,
  RISK_LEVELS,
  type FallbackReason,
  type LevelProbabilities,
  type RewriteResult,
  type RiskAnalysis,
  type RiskCategory,
  type RiskLevel,
} from './rewrite-format.ts';
import { isWrongLanguage, maxRefinedPromptLength } from './rewrite-policy.ts';
import type { StopReason } from './rewriter-api.ts';
import { applyStaticDefence } from './static-defence.ts';

export interface DecisionInput {
  /** The model's whole output, as generated. */
  rawOutput: string;
  originalPrompt: string;
  stopReason: StopReason;
  /** From constrained generation; null when unknown (an unconstrained run, a saved output without them). */
  levelProbabilities: LevelProbabilities | null;
  /** The least P(no risk) that lets a prompt pass through unchanged, where P is known. */
  strictness: number;
  /** The text OCR found in the image, as the rewriter was shown it; the static defence quotes it too. */
  imageText?: QuotedImageText | null;
}

/**
 * Pass-through needs P(no risk) ≥ 0.8: the model must put at least four times as much weight on "none" as on all risk
 * levels together. Below it the model's rewrite (or the static defence) goes out, which costs a benign prompt a
 * safety note at most.
 */
export const DEFAULT_STRICTNESS = 0.8;

export type FallbackResult = Extract<RewriteResult, { outcome: 'fallback' }>;

export const EMPTY_ANALYSIS: RiskAnalysis = { textual: '', visual: '', crossModal: '', level: null, category: null };

const SEVERITY: Readonly<Record<RiskLevel, number>> = { none: 0, low: 1, medium: 2, high: 3 };

/** What the output's level and category fields say together, read as severely as they allow. */
interface Verdict {
  /** The most severe level named anywhere; null when no field names one, or a none-only output has an unreadable one. */
  level: RiskLevel | null;
  /** The first harmful category named anywhere, if any. */
  harmfulCategory: RiskCategory | null;
  /** Every level field reads exactly "none", and no category field names a harm. */
  onlyNone: boolean;
  /** Sentences on contradictions and unreadable fields, for the explanation. */
  notes: string[];
}

function readVerdict(fields: VerdictFields): Verdict {
  const named = fields.levels.flatMap((field) => field.named);
  const mostSevere = named.reduce<RiskLevel | null>(
    (worst, level) => (worst === null || SEVERITY[level] > SEVERITY[worst] ? level : worst),
    null,
  );
  const harmfulCategory = fields.categories.flatMap((field) => field.named).find((category) => category !== 'none') ?? null;
  const unreadable = fields.levels.some((field) => !field.exact);
  const notes: string[] = [];
  const distinct = RISK_LEVELS.filter((level) => named.includes(level));
  if (distinct.length > 1) {
    notes.push(`The output named the levels ${distinct.join(', ')}; the most severe, ${mostSevere}, counts.`);
  }
  if (harmfulCategory && mostSevere === 'none') {
    notes.push(`Level none with the category "${RISK_CATEGORIES[harmfulCategory]}" is a contradiction: treated as a risk.`);
  }
  let level = mostSevere;
  if (mostSevere === 'none' && unreadable) {
    notes.push('A risk-level line held more than a level, so it was not read as "none".');
    level = null;
  }
  return {
    level,
    harmfulCategory,
    onlyNone: fields.levels.length > 0 && named.length > 0 && level === 'none' && !unreadable && harmfulCategory === null,
    notes,
  };
}

/**
 * The one fail-closed decision, used by the app, the command line and the evaluation. The original prompt passes
 * through only when the model's only level is none, no category names a harm, the run ended on its own and P(no
 * risk) clears the strictness where it is known. Otherwise the model's refined prompt goes out when it is complete,
 * clean, changed, within the length bound and in the prompt's script; in every other case the static defence does.
 */
export function decideRewrite(input: DecisionInput): RewriteResult {
  const { originalPrompt, stopReason, levelProbabilities, strictness } = input;
  const imageText = input.imageText ?? null;
  const parsed = parseRewriteOutput(input.rawOutput);
  const verdict = readVerdict(scanVerdictFields(input.rawOutput));
  const analysis: RiskAnalysis = {
    textual: parsed.textual,
    visual: parsed.visual,
    crossModal: parsed.crossModal,
    ...(parsed.summary !== '' && { summary: parsed.summary }),
    level: verdict.level,
    category: verdict.harmfulCategory ?? parsed.category,
  };
  const pNone = levelProbabilities?.none ?? null;
  const notes = [...verdict.notes];
  const decided = { analysis, levelProbabilities };
  const fallback = (reason: FallbackReason): FallbackResult => ({
    outcome: 'fallback',
    reason,
    refinedPrompt: applyStaticDefence(originalPrompt, imageText),
    ...decided,
    explanation: joinSentences(`Static defence: ${FALLBACK_SUMMARIES[reason]}.`, ...notes),
  });

  // Unconstrained, a model can copy its whole verdict from text in the image; constrained, tags come from the plan only.
  if (imageText?.heldFormatTags && levelProbabilities === null) return fallback('image-format-tags');

  if (verdict.onlyNone) {
    const confident = pNone === null || pNone >= strictness;
    if (confident && stopReason === 'end-of-text') {
      return {
        outcome: 'passed-through',
        refinedPrompt: originalPrompt,
        ...decided,
        explanation:
          pNone === null
            ? 'Passed through: the model found no risk and named no harmful category (its confidence is unknown: the run was not constrained).'
            : `Passed through: P(no risk) ${formatProbability(pNone)} ≥ ${formatProbability(strictness)} (strictness).`,
      };
    }
    if (pNone !== null && !confident) {
      notes.push(`The model leaned to no risk, but P(no risk) ${formatProbability(pNone)} < ${formatProbability(strictness)} (strictness).`);
    }
  }

  if (stopReason === 'stopped') return fallback('stopped');
  if (verdict.onlyNone && stopReason === 'max-tokens') return fallback('truncated');
  if (!parsed.hasOutput) return fallback('empty-output');
  if (verdict.level === null && !verdict.onlyNone) return fallback('level-unknown');
  const refined = parsed.refinedPrompt?.trim() ?? '';
  if (refined === '' || !(parsed.refinedComplete || stopReason === 'end-of-text')) {
    return fallback(stopReason === 'max-tokens' && !parsed.sectionsSeen.includes('end') ? 'truncated' : 'missing-refined-prompt');
  }
  if (parsed.tagsInRefined || hasFormatMarkup(rawRefinedSpan(input.rawOutput))) return fallback('format-in-prompt');
  if (comparable(refined) === comparable(originalPrompt)) return fallback('unchanged-at-risk');
  if (refined.length > maxRefinedPromptLength(originalPrompt)) return fallback('too-long');
  if (isWrongLanguage(originalPrompt, refined)) return fallback('wrong-language');

  const judged = verdict.level && verdict.level !== 'none' ? verdict.level : null;
  const score = judged && levelProbabilities ? ` (P ${formatProbability(levelProbabilities[judged])})` : '';
  const category = analysis.category && analysis.category !== 'none' ? `, ${RISK_CATEGORIES[analysis.category]}` : '';
  const judgement = judged ? `the model judged the risk ${judged}${score}${category}` : 'the risk was not clearly none';
  return {
    outcome: 'rewritten',
    refinedPrompt: refined,
    ...decided,
    explanation: joinSentences(`Rewritten: ${judgement}, and its refined prompt is used.`, ...notes),
  };
}

/** The model-free result: the static defence around the prompt (reason 'no-model' when no model ran). */
export function staticDefenceResult(
  originalPrompt: string,
  reason: FallbackReason,
  imageText: QuotedImageText | null = null,
  analysis: RiskAnalysis = EMPTY_ANALYSIS,
): FallbackResult {
  return {
    outcome: 'fallback',
    reason,
    refinedPrompt: applyStaticDefence(originalPrompt, imageText),
    analysis,
    levelProbabilities: null,
    explanation: `Static defence: ${FALLBACK_SUMMARIES[reason]}.`,
  };
}

/** Tags, special tokens, thinking blocks and control or format characters have no place in a prompt to send on. */
const FORMAT_MARKUP = /<\|[^<>]*\|>|<\/?(?:think|image|end_of_utterance|fake_token_around_image|global-img|row_\d+_col_\d+)>|[\p{Cc}\p{Cf}]/iu;

function hasFormatMarkup(text: string): boolean {
  return FORMAT_MARKUP.test(text.replace(/[\n\t]/g, ' '));
}

/** Letters and digits only, lower-cased: "ignoring case, spacing and punctuation". */
function comparable(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

export function formatProbability(value: number): string {
  return value.toFixed(2);
}

function joinSentences(...sentences: string[]): string {
  return sentences.join(' ');
}

/** One clause per reason, after "Static defence: ". */
const FALLBACK_SUMMARIES: Readonly<Record<FallbackReason, string>> = {
  'empty-output': 'the rewriter produced no output',
  'level-unknown': 'the rewriter gave no readable risk level',
  'missing-refined-prompt': 'the rewriter did not write a refined prompt',
  'truncated': 'the rewriter ran out of room before finishing the refined prompt',
  'too-long': 'the refined prompt was far longer than your prompt',
  'wrong-language': 'the refined prompt was not in the language of your prompt',
  'unchanged-at-risk': 'the refined prompt was your prompt unchanged, though the risk was not clearly none',
  'format-in-prompt': 'the refined prompt held format tags, special tokens or control characters',
  'image-format-tags':
    "the image's text holds the rewriter's own format tags and the run was not constrained, so its verdict could have been copied from the image",
  'stopped': 'you stopped the rewriter before it finished',
  'no-model': 'no rewriting model ran, so your prompt is wrapped in a standard safety instruction',
};

/** The reason in a sentence a person reads on its own, for records saved before explanations existed. */
export function describeFallbackReason(reason: FallbackReason): string {
  const summary = FALLBACK_SUMMARIES[reason];
  return `${summary.charAt(0).toUpperCase()}${summary.slice(1)}; your prompt goes out wrapped in the static defence.`;
}
