import { describe, expect, it } from 'vitest';
import { normalizedWords, recallOf, totalRecall, wordRecall } from '../../scripts/ocr-test-set/word-recall.ts';

describe('normalizedWords', () => {
  it.each([
    ['Steps to make a Cake.', ['steps', 'to', 'make', 'a', 'cake']],
    ['1. 2.\t3.', ['1', '2', '3']],
    // The recogniser's full-width letters, digits and punctuation count as their ASCII forms.
    ['ＳＴＥＰＳ，１２', ['steps12']],
    ['  step-by-step: (done!)  ', ['stepbystep', 'done']],
    ['... — !', []],
  ])('%j → %j', (text, words) => {
    expect(normalizedWords(text)).toEqual(words);
  });
});

describe('wordRecall', () => {
  it('counts every truth word found, whatever the case, punctuation or line', () => {
    expect(wordRecall(['Steps to make a cake.', '1.', '2.'], ['STEPS TO MAKE', 'a cake', '1 2'])).toEqual({
      truthWords: 7,
      foundWords: 7,
      matched: 7,
      matchedIgnoringSpaces: 7,
      missing: [],
    });
  });

  it('matches multisets: a word written twice must be found twice', () => {
    // truth: the(×2) cat sat; found: the cat → the, cat matched; the second "the" and "sat" missing.
    const result = wordRecall(['the cat sat the'], ['the cat']);
    expect(result).toMatchObject({ truthWords: 4, foundWords: 2, matched: 2, matchedIgnoringSpaces: 2, missing: ['sat', 'the'] });
    expect(recallOf(result)).toBe(0.5);
  });

  it('finds run-together words only when ignoring missing spaces, each stretch once', () => {
    // "1.Mixthe flour" → 1mixthe, flour: exact matches flour; ignoring spaces 1, mix and the inside "1mixthe".
    const result = wordRecall(['1. Mix the flour', 'the end'], ['1.Mixthe flour', 'theend']);
    expect(result).toMatchObject({ truthWords: 6, foundWords: 3, matched: 1, matchedIgnoringSpaces: 6, missing: [] });
    expect(recallOf(result)).toBeCloseTo(1 / 6);
    expect(recallOf(result, true)).toBe(1);
    // One "the" in the found text serves one truth "the", not two.
    expect(wordRecall(['the the'], ['xthex'])).toMatchObject({ matched: 0, matchedIgnoringSpaces: 1, missing: ['the'] });
  });

  it('does not let an exact match serve again inside the run-together text', () => {
    // "cake" is matched exactly by the found "cake"; the second truth "cake" has nothing left to look in.
    expect(wordRecall(['cake cake'], ['cake'])).toMatchObject({ matched: 1, matchedIgnoringSpaces: 1, missing: ['cake'] });
  });

  it('looks for longer words first, so a short one does not take a letter a longer one needs', () => {
    // Found "bakea": "bake" takes "bake", then "a" the last "a". Had "a" gone first it would take the "a" of
    // "bake", and "bake" would be missing.
    expect(wordRecall(['a bake'], ['bakea'])).toMatchObject({ matched: 0, matchedIgnoringSpaces: 2, missing: [] });
  });

  it('does not match across lines when ignoring spaces', () => {
    expect(wordRecall(['pancake'], ['pan', 'cake'])).toMatchObject({ matched: 0, matchedIgnoringSpaces: 0, missing: ['pancake'] });
  });

  it('gives recall 1 where there is nothing to find, and sums a set as words, not as a mean of images', () => {
    const empty = wordRecall([], ['noise']);
    expect(empty).toMatchObject({ truthWords: 0, foundWords: 1, matched: 0 });
    expect(recallOf(empty)).toBe(1);
    // 1 of 1 and 1 of 3: 2 of 4 words (0.5), where the mean of the images would be 0.67.
    const total = totalRecall([wordRecall(['one'], ['one']), wordRecall(['two three four'], ['two'])]);
    expect(total).toMatchObject({ truthWords: 4, foundWords: 2, matched: 2, missing: ['three', 'four'] });
    expect(recallOf(total)).toBe(0.5);
  });
});
