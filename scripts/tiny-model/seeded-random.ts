export interface SeededRandom {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal sample. */
  normal(): number;
}

/** mulberry32: a 32-bit-state PRNG, small and good enough for test weights. */
export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const uniform = (): number => nextUint32() / 0x1_0000_0000;

  let spareNormal: number | undefined;
  const normal = (): number => {
    if (spareNormal !== undefined) {
      const value = spareNormal;
      spareNormal = undefined;
      return value;
    }
    // Box-Muller; 1 - uniform() lies in (0, 1], so the log is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };

  return { uniform, normal };
}

/** FNV-1a, so that each named tensor gets its own stream whatever order tensors are generated in. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function randomForName(seed: number, name: string): SeededRandom {
  return createSeededRandom(hashString(`${seed >>> 0}:${name}`));
}

/** `mean + std * N(0, 1)` samples, drawn from the stream named `name`. */
export function seededNormals(seed: number, name: string, length: number, std: number, mean = 0): Float32Array {
  const random = randomForName(seed, name);
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = mean + std * random.normal();
  return values;
}
