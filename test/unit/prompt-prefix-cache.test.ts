import { describe, expect, it } from 'vitest';
import { planPrefixReuse, type PromptKey } from '../../src/engine/prompt-prefix-cache.ts';

const IMAGE = 9;
const text = (end: number) => ({ end, hasImage: false });
const image = (end: number) => ({ end, hasImage: true });
const key = (ids: number[], imageDigest: string | null = 'a'): PromptKey => ({ ids, imageTokenId: IMAGE, imageDigest });

describe('planPrefixReuse', () => {
  it.each([
    ['nothing stored: the instructions, the image and the rest run in turn', null, 0, key([1, 2, IMAGE, IMAGE, 3]), { reused: 0, prefill: [text(2), image(4)], imageInPrefix: false }],
    ['the same image: instructions and image reused, the question runs', key([1, IMAGE, IMAGE, 2, 3]), 5, key([1, IMAGE, IMAGE, 2, 7]), { reused: 3, prefill: [], imageInPrefix: true }],
    ['another image: reuse stops before it, the image runs on its own', key([1, 2, IMAGE, IMAGE, 3]), 5, key([1, 2, IMAGE, IMAGE, 3], 'b'), { reused: 2, prefill: [image(4)], imageInPrefix: false }],
    ['no digest never counts as the same image', key([1, IMAGE, 2], null), 3, key([1, IMAGE, 3], null), { reused: 1, prefill: [image(2)], imageInPrefix: false }],
    ['a shared start that ends inside the image is cut to where the image begins', key([1, IMAGE, IMAGE, 2]), 2, key([1, IMAGE, IMAGE, 3]), { reused: 1, prefill: [image(3)], imageInPrefix: false }],
    ['a shared start that ends inside the instructions reuses nothing', key([1, 2, 3, IMAGE, 4]), 5, key([1, 2, 5, IMAGE, 4]), { reused: 0, prefill: [text(3), image(4)], imageInPrefix: false }],
    ['an identical prompt reuses up to the image end, not its own last position', key([1, IMAGE, 2, 3]), 4, key([1, IMAGE, 2, 3]), { reused: 2, prefill: [], imageInPrefix: true }],
    ['only positions the stored KV covers', key([1, 2, IMAGE, 3, 4]), 2, key([1, 2, IMAGE, 3, 4]), { reused: 2, prefill: [image(3)], imageInPrefix: false }],
    ['an image at the very start has one edge, after it', null, 0, key([IMAGE, IMAGE, 1, 2]), { reused: 0, prefill: [image(2)], imageInPrefix: false }],
    ['text-only prompts run whole and reuse nothing', key([1, 2, 3, 4]), 4, key([1, 2, 3, 5]), { reused: 0, prefill: [], imageInPrefix: false }],
  ])('%s', (_, stored, storedLength, next, expected) => {
    expect(planPrefixReuse(stored, storedLength, next)).toEqual(expected);
  });
});
