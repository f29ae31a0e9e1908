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
