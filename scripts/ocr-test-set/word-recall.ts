/**
 * Word recall of OCR against the text an image really shows. Words compare case-insensitively (NFKC, so the
 * recogniser's full-width forms count as their ASCII ones), with punctuation and symbols removed ("1." is "1"),
 * as multisets: a word written twice must be found twice. "Ignoring missing spaces" also counts a truth word found
 * inside a line's text with its spaces removed ("1.Mix the" is "1mixthe", which holds "1" and "mix" and "the").
 */

export interface WordRecall {
  /** Words in the truth. */
  truthWords: number;
  /** Words OCR found. */
  foundWords: number;
  /** Truth words matched by a found word (multiset intersection). */
  matched: number;
  /** Truth words matched by a found word or inside a found line with its spaces removed. */
  matchedIgnoringSpaces: number;
  /** The truth words not matched, even ignoring spaces, in order. */
  missing: string[];
}

/** A text's words: lower case, NFKC, punctuation and symbols removed, split at white space. */
export function normalizedWords(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, '')
    .split(/\s+/u)
    .filter((word) => word !== '');
}

/** Matches the words of `truthLines` against those of `foundLines`. */
export function wordRecall(truthLines: readonly string[], foundLines: readonly string[]): WordRecall {
  const truth = truthLines.flatMap(normalizedWords);
  const found = foundLines.map((line) => normalizedWords(line).map((word) => ({ word, used: false })));
  // Each found word, by its text, so that an exact match uses up that one occurrence.
  const byWord = new Map<string, Array<{ word: string; used: boolean }>>();
  for (const entry of found.flat()) byWord.set(entry.word, [...(byWord.get(entry.word) ?? []), entry]);
  const unmatched: Array<{ word: string; index: number }> = [];
  truth.forEach((word, index) => {
    const entry = byWord.get(word)?.find((candidate) => !candidate.used);
    if (entry) entry.used = true;
    else unmatched.push({ word, index });
  });
  // The rest may hide inside words OCR ran together: each looks in what is left of the found lines written without
  // spaces, and takes that stretch (so one "the" is not found twice). Longer words first, so that "a" does not take
  // the "a" of "bake" before "bake" is looked for.
  const joined = found.map((line) => line.map((entry) => (entry.used ? '\u0000' : entry.word)).join(''));
  const missing = new Set<number>();
  for (const { word, index } of [...unmatched].sort((a, b) => b.word.length - a.word.length)) {
    const line = joined.findIndex((text) => text.includes(word));
    if (line < 0) missing.add(index);
    else joined[line] = (joined[line] ?? '').replace(word, '\u0000');
  }
  return {
    truthWords: truth.length,
    foundWords: found.flat().length,
    matched: truth.length - unmatched.length,
    matchedIgnoringSpaces: truth.length - missing.size,
    missing: truth.filter((_, index) => missing.has(index)),
  };
}

/** The sum of several images' counts (recall over a set is matched words over all truth words, not a mean of means). */
export function totalRecall(parts: readonly WordRecall[]): WordRecall {
  return parts.reduce(
    (sum, part) => ({
      truthWords: sum.truthWords + part.truthWords,
      foundWords: sum.foundWords + part.foundWords,
      matched: sum.matched + part.matched,
      matchedIgnoringSpaces: sum.matchedIgnoringSpaces + part.matchedIgnoringSpaces,
      missing: [...sum.missing, ...part.missing],
    }),
    { truthWords: 0, foundWords: 0, matched: 0, matchedIgnoringSpaces: 0, missing: [] },
  );
}

/** matched / truth words; 1 when there is nothing to find. */
export function recallOf(result: WordRecall, ignoringSpaces = false): number {
  if (result.truthWords === 0) return 1;
  return (ignoringSpaces ? result.matchedIgnoringSpaces : result.matched) / result.truthWords;
}
