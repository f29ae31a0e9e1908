import type { ParsedRewrite } from './rewrite-parser.ts';
import type { FallbackReason, RewriteResult, RiskAnalysis } from './rewrite-format.ts';
import type { StopReason } from './rewriter-api.ts';
import { applyStaticDefence } from './static-defence.ts';

export interface RewriteContext {
  originalPrompt: string;
  stopReason: StopReason;
}

export type FallbackResult = Extract<RewriteResult, { outcome: 'fallback' }>;

export const EMPTY_ANALYSIS: RiskAnalysis = { textual: '', visual: '', crossModal: '', level: null, category: null };

/**
 * Turns a parsed output into the one prompt to send on, in this order:
 * 1. level 'none' (parsed) → 'passed-through' with the original prompt, whatever the model wrote after it;
 * 2. a refined prompt that is non-empty, closed (by a later tag, [END], or the end of text), within
 *    `maxRefinedPromptLength` and in the original's script → 'rewritten', even when it equals the
 *    original at level medium or high (the model judged that wording safe to send; its analysis stands);
 * 3. anything else → 'fallback': the static defence around the original prompt, and the first
 *    reason that applies: 'stopped', 'empty-output', 'truncated', 'missing-refined-prompt',
 *    'too-long', 'wrong-language'. The model's analysis is kept for display.
 */
export function decideRewrite(parsed: ParsedRewrite, context: RewriteContext): RewriteResult {
  const { originalPrompt, stopReason } = context;
  const analysis = pickAnalysis(parsed);
  if (analysis.level === 'none') return { outcome: 'passed-through', refinedPrompt: originalPrompt, analysis };

  const refined = parsed.refinedPrompt?.trim() ?? '';
  const closed = refined !== '' && (parsed.refinedComplete || stopReason === 'end-of-text');
  if (!closed) return staticDefenceResult(originalPrompt, explainMissingPrompt(parsed, stopReason), analysis);
  if (refined.length > maxRefinedPromptLength(originalPrompt)) {
    return staticDefenceResult(originalPrompt, 'too-long', analysis);
  }
  if (isWrongLanguage(originalPrompt, refined)) return staticDefenceResult(originalPrompt, 'wrong-language', analysis);
  return { outcome: 'rewritten', refinedPrompt: refined, analysis };
}

/** Only the analysis fields, so results carry no parser state. */
export function pickAnalysis(parsed: RiskAnalysis): RiskAnalysis {
  const { textual, visual, crossModal, level, category } = parsed;
  return { textual, visual, crossModal, level, category };
}

function explainMissingPrompt(parsed: ParsedRewrite, stopReason: StopReason): FallbackReason {
  if (stopReason === 'stopped') return 'stopped';
  if (!parsed.hasOutput) return 'empty-output';
  const started = parsed.refinedPrompt !== null;
  if (started && stopReason === 'max-tokens' && !parsed.sectionsSeen.includes('end')) return 'truncated';
  return 'missing-refined-prompt';
}

/** The model-free result: the static defence around the prompt (reason 'no-model' when no model ran). */
export function staticDefenceResult(
  originalPrompt: string,
  reason: FallbackReason,
  analysis: RiskAnalysis = EMPTY_ANALYSIS,
): FallbackResult {
  return { outcome: 'fallback', refinedPrompt: applyStaticDefence(originalPrompt), analysis, reason };
}

/**
 * The longest refined prompt accepted, in UTF-16 code units: four times the original, or the
 * original plus 600 (room for a safety preamble on a short question), whichever is larger.
 * Anything longer is the model rambling or copying its analysis, not a rewrite.
 */
export function maxRefinedPromptLength(originalPrompt: string): number {
  return Math.max(4 * originalPrompt.length, originalPrompt.length + 600);
}

export type WritingScript = 'latin' | 'cyrillic' | 'greek' | 'arabic' | 'hebrew' | 'devanagari' | 'thai' | 'cjk';

const SCRIPT_PATTERNS: ReadonlyArray<readonly [WritingScript, RegExp]> = [
  ['latin', /\p{Script=Latin}/u],
  ['cyrillic', /\p{Script=Cyrillic}/u],
  ['greek', /\p{Script=Greek}/u],
  ['arabic', /\p{Script=Arabic}/u],
  ['hebrew', /\p{Script=Hebrew}/u],
  ['devanagari', /\p{Script=Devanagari}/u],
  ['thai', /\p{Script=Thai}/u],
  ['cjk', /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u],
];

/** Fewer letters than this say too little about a language ("OK?", "2+2", an emoji). */
const MIN_LETTERS_FOR_SCRIPT = 4;

/**
 * The script of more than half of the text's letters, or null when no script has a majority or
 * the text has too few letters. Han, kana and Hangul count as one ('cjk').
 */
export function detectDominantScript(text: string): WritingScript | null {
  const counts = new Map<WritingScript | 'other', number>();
  let letters = 0;
  for (const char of text) {
    if (!/\p{L}/u.test(char)) continue;
    letters += 1;
    const script = SCRIPT_PATTERNS.find(([, pattern]) => pattern.test(char))?.[0] ?? 'other';
    counts.set(script, (counts.get(script) ?? 0) + 1);
  }
  if (letters < MIN_LETTERS_FOR_SCRIPT) return null;
  for (const [script, count] of counts) {
    if (script !== 'other' && count * 2 > letters) return script;
  }
  return null;
}

/**
 * A refined prompt in another script than the original (e.g. an English question rewritten in
 * Chinese) would change what the user gets back. Only a clear majority on both sides counts, so
 * quoted words, names and mixed text never trigger it; two languages of one script (English and
 * French) are not told apart.
 */
export function isWrongLanguage(originalPrompt: string, refinedPrompt: string): boolean {
  const original = detectDominantScript(originalPrompt);
  const refined = detectDominantScript(refinedPrompt);
  return original !== null && refined !== null && original !== refined;
}

export function describeFallbackReason(reason: FallbackReason): string {
  switch (reason) {
    case 'empty-output':
      return 'The rewriter produced no output, so your prompt was wrapped in a standard safety instruction instead.';
    case 'missing-refined-prompt':
      return 'The rewriter did not write a refined prompt, so your prompt was wrapped in a standard safety instruction instead.';
    case 'truncated':
      return 'The rewriter ran out of room before finishing the refined prompt, so your prompt was wrapped in a standard safety instruction instead.';
    case 'too-long':
      return 'The refined prompt was far longer than your prompt, so your prompt was wrapped in a standard safety instruction instead.';
    case 'wrong-language':
      return 'The refined prompt was not in the language of your prompt, so your prompt was wrapped in a standard safety instruction instead.';
    case 'stopped':
      return 'You stopped the rewriter before it finished the refined prompt, so your prompt was wrapped in a standard safety instruction instead.';
    case 'no-model':
      return 'No rewriting model is loaded, so your prompt was wrapped in a standard safety instruction.';
  }
}
