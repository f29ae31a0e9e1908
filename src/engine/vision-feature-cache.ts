import type { Tensor } from '@huggingface/transformers';

/**
 * Image features by a digest of exactly what the vision encoder was fed (pixel values, masks, grid sizes), so a hit
 * can only return what a fresh encoder run would: rewriting the same picture again, e.g. with an edited question,
 * skips the most expensive step. Least recently used entries go first.
 */
export class VisionFeatureCache {
  readonly #capacity: number;
  readonly #entries = new Map<string, Tensor>();

  constructor(capacity = 4) {
    this.#capacity = capacity;
  }

  get(digest: string): Tensor | undefined {
    const features = this.#entries.get(digest);
    if (features) {
      this.#entries.delete(digest);
      this.#entries.set(digest, features);
    }
    return features;
  }

  set(digest: string, features: Tensor): void {
    this.#entries.delete(digest);
    this.#entries.set(digest, features);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#capacity) break;
      this.#entries.delete(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** SHA-256 over each tensor's name, type, shape and bytes; the order of `tensors` does not matter. */
export async function digestTensors(tensors: Record<string, Tensor>): Promise<string> {
  const parts: string[] = [];
  for (const [name, tensor] of Object.entries(tensors).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const data = tensor.data as ArrayLike<unknown> & ArrayBufferView;
    // Digests each tensor separately: no copy of megabytes of pixels into one buffer first.
    const bytes = unsharedBytes(data);
    parts.push(`${name}:${tensor.type}:${tensor.dims.join('x')}:${toHex(await crypto.subtle.digest('SHA-256', bytes))}`);
  }
  return toHex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(parts.join('|'))));
}

/** WebCrypto refuses views on shared memory (tensors can live there on cross-origin-isolated pages); copy those. */
function unsharedBytes(data: ArrayBufferView): Uint8Array<ArrayBuffer> {
  if (data.buffer instanceof ArrayBuffer) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const copy = new Uint8Array(data.byteLength);
  copy.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return copy;
}

function toHex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
