import { byteLevelSpelling } from '../tiny-model/tokenizer-files.ts';

/** The GPT-2 split that the ByteLevel pre-tokenizer (use_regex: true) applies before BPE. */
const GPT2_PRE_TOKENIZER = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's byte → printable character table (the ByteLevel pre-tokenizer's and decoder's), built once. */
const BYTE_CHARACTERS: readonly string[] = (() => {
  const keptAsIs = (byte: number) => (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
  let shifted = 0;
  return Array.from({ length: 256 }, (_, byte) => String.fromCharCode(keptAsIs(byte) ? byte : 256 + shifted++));
})();

/**
 * How a sequence of bytes, valid UTF-8 or not, is spelled as a byte-level vocabulary entry: each byte as its GPT-2
 * character. For valid UTF-8 it equals byteLevelSpelling of the decoded text.
 */
export function byteLevelSpellingOfBytes(bytes: Uint8Array): string {
  let spelled = '';
  for (const byte of bytes) spelled += BYTE_CHARACTERS[byte] ?? '';
  return spelled;
}

export interface Merge {
  left: string;
  right: string;
}

/**
 * Classic BPE training over byte-level spelled words: repeatedly merge the most frequent adjacent pair (ties broken
 * by the pair's text, so the result is deterministic) until every word is one token or `maxMerges` is reached.
 */
export function trainByteLevelMerges(corpus: string, maxMerges: number): Merge[] {
  const counts = new Map<string, number>();
  for (const piece of corpus.match(GPT2_PRE_TOKENIZER) ?? []) {
    const spelled = byteLevelSpelling(piece);
    counts.set(spelled, (counts.get(spelled) ?? 0) + 1);
  }
  const words = [...counts].map(([spelled, count]) => ({ symbols: Array.from(spelled), count }));
  const merges: Merge[] = [];
  while (merges.length < maxMerges) {
    const pairCounts = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = `${symbols[i]}\u0000${symbols[i + 1]}`;
        pairCounts.set(key, (pairCounts.get(key) ?? 0) + count);
      }
    }
    let best: string | undefined;
    let bestCount = 0;
    for (const [key, count] of pairCounts) {
      if (count > bestCount || (count === bestCount && best !== undefined && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (best === undefined) break;
    const [left, right] = best.split('\u0000') as [string, string];
    merges.push({ left, right });
    for (const word of words) word.symbols = mergePair(word.symbols, left, right);
  }
  return merges;
}

function mergePair(symbols: string[], left: string, right: string): string[] {
  const merged: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
      merged.push(left + right);
      i++;
    } else {
      merged.push(symbols[i] ?? '');
    }
  }
  return merged;
}
