import { describe, expect, it } from 'vitest';
import { planPrefixReuse, type PromptKey } from '../../src/engine/prompt-prefix-cache.ts';

const IMAGE = 9;
const key = (ids: number[], imageDigest: string | null = 'a'): PromptKey => ({ ids, imageTokenId: IMAGE, imageDigest });

describe('planPrefixReuse', () => {
  it.each([
    ['nothing stored', null, 0, key([1, 2, 3]), { reused: 0, imageInPrefix: false }],
    ['text-only prompts share their common start', key([1, 2, 3, 4]), 4, key([1, 2, 5, 6]), { reused: 2, imageInPrefix: false }],
    ['an identical prompt keeps its last position to run', key([1, 2, 3]), 3, key([1, 2, 3]), { reused: 2, imageInPrefix: false }],
    ['only positions the stored KV covers', key([1, 2, 3, 4, 5]), 2, key([1, 2, 3, 4, 6]), { reused: 2, imageInPrefix: false }],
    ['the same image: the image is in the prefix', key([1, IMAGE, IMAGE, 2, 3]), 5, key([1, IMAGE, IMAGE, 2, 7]), { reused: 4, imageInPrefix: true }],
    ['another image: reuse stops before it', key([1, 2, IMAGE, IMAGE, 3]), 5, key([1, 2, IMAGE, IMAGE, 3], 'b'), { reused: 2, imageInPrefix: false }],
    ['no digest never counts as the same image', key([1, IMAGE, 2], null), 3, key([1, IMAGE, 3], null), { reused: 1, imageInPrefix: false }],
    ['a prefix that ends inside the image tokens is cut before them', key([1, IMAGE, IMAGE, 2]), 2, key([1, IMAGE, IMAGE, 3]), { reused: 1, imageInPrefix: false }],
    ['generated tokens count when the new prompt continues them', key([1, 2, 3, 4, 5]), 4, key([1, 2, 3, 4, 5, 6]), { reused: 4, imageInPrefix: false }],
  ])('%s', (_, stored, storedLength, next, expected) => {
    expect(planPrefixReuse(stored, storedLength, next)).toEqual(expected);
  });
});
