import { Tensor, type DynamicCache } from '@huggingface/transformers';
import { cacheEntries, cacheFromEntries } from './transformers-internals.ts';

/**
 * What a decoder position depends on: its token id and, for image tokens, which image. Two prompts share the KV of
 * their longest common prefix of these keys.
 */
export interface PromptKey {
  ids: readonly number[];
  imageTokenId: number;
  /** Digest of the image's vision inputs; null when the prompt has no image. */
  imageDigest: string | null;
}

export interface PrefixReuse {
  /** Positions whose KV comes from the cache; the decoder runs on the rest. */
  reused: number;
  /** True when every image token lies in the reused prefix, so the vision encoder need not run at all. */
  imageInPrefix: boolean;
}

/**
 * How much of `stored` (whose KV covers its first `storedLength` positions) the prompt `next` can reuse. At least one
 * position is always left to run, since the first new token needs the last prompt position's logits. Image tokens
 * are reused all together or not at all: their KV depends on the image, not only on the token id.
 */
export function planPrefixReuse(stored: PromptKey | null, storedLength: number, next: PromptKey): PrefixReuse {
  const imagePositions = positionsOf(next.ids, next.imageTokenId);
  if (!stored) return { reused: 0, imageInPrefix: false };
  const limit = Math.min(storedLength, stored.ids.length, next.ids.length - 1);
  let reused = 0;
  while (reused < limit && stored.ids[reused] === next.ids[reused]) reused++;

  const firstImage = imagePositions[0];
  const lastImage = imagePositions.at(-1);
  if (firstImage !== undefined && lastImage !== undefined) {
    const sameImage = stored.imageDigest !== null && stored.imageDigest === next.imageDigest;
    if (!sameImage || reused <= lastImage) reused = Math.min(reused, firstImage);
  }
  return { reused, imageInPrefix: firstImage !== undefined && reused > firstImage };
}

function positionsOf(ids: readonly number[], id: number): number[] {
  const positions: number[] = [];
  for (const [position, value] of ids.entries()) if (value === id) positions.push(position);
  return positions;
}

interface StoredPrefix {
  key: PromptKey;
  cache: DynamicCache;
}

/**
 * Keeps the decoder KV of the last prompt (and what was generated after it) on the CPU, so the next prompt starts
 * where the two diverge. Holds attention KV only (`past_key_values.*`): recurrent or convolution states cannot be cut
 * back to a shorter prefix.
 */
export class PromptPrefixCache {
  #stored: StoredPrefix | null = null;

  /** A cache holding the reusable prefix of `next` (copied, so the stored entry stays intact), ready for generate(). */
  take(next: PromptKey): PrefixReuse & { cache: DynamicCache } {
    const stored = this.#stored;
    const plan = planPrefixReuse(stored?.key ?? null, stored?.cache.get_seq_length() ?? 0, next);
    if (!stored || plan.reused === 0) return { ...plan, cache: cacheFromEntries() };
    const entries: Record<string, Tensor> = {};
    for (const [name, tensor] of cacheEntries(stored.cache)) entries[name] = leadingPositions(tensor, plan.reused);
    return { ...plan, cache: cacheFromEntries(entries) };
  }

  /** Remembers `cache` (filled in place by generate(), see resumeFromCache) as the KV of `key`'s first positions. */
  store(key: PromptKey, cache: DynamicCache): void {
    const tensors = cacheEntries(cache);
    const cacheable =
      tensors.length > 0 &&
      tensors.every(([name, tensor]) => name.startsWith('past_key_values.') && tensor.location === 'cpu' && tensor.dims.length === 4);
    this.#stored = cacheable ? { key, cache } : null;
  }

  clear(): void {
    this.#stored = null;
  }
}

/** The first `length` positions of a [batch, heads, positions, headDim] tensor, as a new tensor. */
function leadingPositions(tensor: Tensor, length: number): Tensor {
  const [batch, heads, positions, headDim] = tensor.dims as [number, number, number, number];
  const source = tensor.data as Float32Array;
  const Typed = source.constructor as new (length: number) => Float32Array;
  const target = new Typed(batch * heads * length * headDim);
  const rowBlock = length * headDim;
  for (let row = 0; row < batch * heads; row++) {
    target.set(source.subarray(row * positions * headDim, row * positions * headDim + rowBlock), row * rowBlock);
  }
  return new Tensor(tensor.type, target, [batch, heads, length, headDim]);
}
