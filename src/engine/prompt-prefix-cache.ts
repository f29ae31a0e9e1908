import { Tensor, type DynamicCache } from '@huggingface/transformers';
import { cacheEntries, cacheFromEntries, moveCacheToCpu } from './transformers-internals.ts';

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

export interface PrefillPart {
  end: number;
  hasImage: boolean;
}

export interface PrefixReuse {
  /** Positions whose KV comes from the cache; the decoder runs on the rest. */
  reused: number;
  /** The parts the decoder runs before the prompt's last one, each up to `end`; `hasImage` for the image's part. */
  prefill: PrefillPart[];
  /** True when every image token lies in the reused prefix, so the vision encoder need not run at all. */
  imageInPrefix: boolean;
}

/**
 * How much of `stored` (whose KV covers its first `storedLength` positions) the prompt `next` can reuse, and in which
 * parts the decoder runs the rest. A prompt is always prefilled in the same parts, cut where its image starts and
 * ends: a q8 MatMul quantizes each call's activations with one scale, so a reused prefix computes the same numbers
 * as a cold run only when both ran the same calls. Reuse therefore ends at an edge, never inside a part (and never at
 * the prompt's end, since the first new token needs the last position's logits). Image tokens count as shared only
 * for the same image: their KV depends on the image, not only on the token id.
 */
export function planPrefixReuse(stored: PromptKey | null, storedLength: number, next: PromptKey): PrefixReuse {
  const imagePositions = positionsOf(next.ids, next.imageTokenId);
  const firstImage = imagePositions[0];
  const imageEnd = (imagePositions.at(-1) ?? -1) + 1;
  const edges = firstImage === undefined ? [] : [firstImage, imageEnd];
  const prefillEdges = edges.filter((edge) => edge > 0 && edge < next.ids.length);

  let shared = 0;
  if (stored) {
    const limit = Math.min(storedLength, stored.ids.length, next.ids.length - 1);
    while (shared < limit && stored.ids[shared] === next.ids[shared]) shared++;
    const sameImage = stored.imageDigest !== null && stored.imageDigest === next.imageDigest;
    if (firstImage !== undefined && !sameImage) shared = Math.min(shared, firstImage);
  }
  const reused = prefillEdges.filter((edge) => edge <= shared).at(-1) ?? 0;
  return {
    reused,
    prefill: prefillEdges.filter((edge) => edge > reused).map((end) => ({ end, hasImage: end === imageEnd })),
    imageInPrefix: firstImage !== undefined && reused > firstImage,
  };
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
 * where the two diverge. On WebGPU the KV comes back in GPU buffers and is downloaded once per run; the next run
 * uploads the prefix it reuses. Holds attention KV only (`past_key_values.*`): recurrent or convolution states cannot
 * be cut back to a shorter prefix. With `keep` false it stores nothing and only plans the parts of each prefill, so a
 * run with the cache off computes exactly what a run with it on does.
 */
export class PromptPrefixCache {
  readonly keep: boolean;
  #stored: StoredPrefix | null = null;

  constructor({ keep }: { keep: boolean }) {
    this.keep = keep;
  }

  /** A cache holding the reusable prefix of `next` (copied, so the stored entry stays intact), ready for generate(). */
  take(next: PromptKey): PrefixReuse & { cache: DynamicCache } {
    const stored = this.#stored;
    const plan = planPrefixReuse(stored?.key ?? null, stored?.cache.get_seq_length() ?? 0, next);
    if (!stored || plan.reused === 0) return { ...plan, cache: cacheFromEntries() };
    const entries: Record<string, Tensor> = {};
    for (const [name, tensor] of cacheEntries(stored.cache)) entries[name] = leadingPositions(tensor, plan.reused);
    return { ...plan, cache: cacheFromEntries(entries) };
  }

  /**
   * Remembers `cache` (filled in place by generate(), see resumeFromCache) as the KV of `key`'s first positions; a
   * cache it does not keep has its GPU buffers freed.
   */
  async store(key: PromptKey, cache: DynamicCache): Promise<void> {
    const tensors = cacheEntries(cache);
    const cacheable =
      this.keep &&
      tensors.length > 0 &&
      tensors.every(([name, tensor]) => name.startsWith('past_key_values.') && tensor.dims.length === 4);
    if (!cacheable) {
      this.#stored = null;
      await cache.dispose();
      return;
    }
    await moveCacheToCpu(cache);
    this.#stored = { key, cache };
  }

  clear(): void {
    this.#stored = null;
  }
}

/** The first `length` positions of a [batch, heads, positions, headDim] tensor, as a new tensor. */
function leadingPositions(tensor: Tensor, length: number): Tensor {
  const [batch, heads, positions, headDim] = tensor.dims as [number, number, number, number];
  // float32, or float16 (a Uint16Array) from an f16 decoder on WebGPU.
  const source = tensor.data as Float32Array | Uint16Array;
  const Typed = source.constructor as new (length: number) => typeof source;
  const target = new Typed(batch * heads * length * headDim);
  const rowBlock = length * headDim;
  for (let row = 0; row < batch * heads; row++) {
    target.set(source.subarray(row * positions * headDim, row * positions * headDim + rowBlock), row * rowBlock);
  }
  return new Tensor(tensor.type, target, [batch, heads, length, headDim]);
}
