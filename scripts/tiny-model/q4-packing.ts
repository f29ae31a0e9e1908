/**
 * 4-bit weights in the layout of com.microsoft MatMulNBits (bits 4), asymmetric with packed zero points.
 * W is K×N in the `x @ W` sense; each output column n is quantized in blocks of `blockSize` along K.
 */
export interface Q4Weight {
  k: number;
  n: number;
  blockSize: number;
  kBlocks: number;
  /** Bytes per block: blockSize * 4 / 8. */
  blobSize: number;
  /** The `B` input, shape [N, kBlocks, blobSize]: byte j of a block holds element 2j in the low nibble, 2j+1 in the high one. */
  packed: Uint8Array;
  /** Shape [N, kBlocks]. */
  scales: Float32Array;
  /** Shape [N, ceil(kBlocks / 2)]: block b sits in byte b >> 1, low nibble when b is even. */
  zeroPoints: Uint8Array;
}

const MAX_LEVEL = 15;

function clampLevel(level: number): number {
  return Math.min(MAX_LEVEL, Math.max(0, level));
}

/** Quantizes a row-major K×N matrix. Every element is reproduced within half a scale step of its block. */
export function quantizeQ4(weight: Float32Array, k: number, n: number, blockSize: number): Q4Weight {
  if (weight.length !== k * n) throw new RangeError(`weight has ${weight.length} elements, expected ${k}×${n}`);
  if (blockSize < 2 || blockSize % 2 !== 0) throw new RangeError(`blockSize must be even (got ${blockSize})`);
  const kBlocks = Math.ceil(k / blockSize);
  const blobSize = blockSize / 2;
  const zeroPointBytes = Math.ceil(kBlocks / 2);
  const packed = new Uint8Array(n * kBlocks * blobSize);
  const scales = new Float32Array(n * kBlocks);
  const zeroPoints = new Uint8Array(n * zeroPointBytes);

  for (let col = 0; col < n; col++) {
    for (let block = 0; block < kBlocks; block++) {
      const start = block * blockSize;
      const end = Math.min(k, start + blockSize);
      // The range always includes 0, so padding and exact zeros stay exact.
      let min = 0;
      let max = 0;
      for (let row = start; row < end; row++) {
        const value = weight[row * n + col]!;
        if (value < min) min = value;
        if (value > max) max = value;
      }
      const scale = Math.fround((max - min) / MAX_LEVEL);
      const zeroPoint = scale === 0 ? 0 : clampLevel(Math.round(-min / scale));
      scales[col * kBlocks + block] = scale;
      zeroPoints[col * zeroPointBytes + (block >> 1)]! |= zeroPoint << ((block & 1) * 4);

      const blobOffset = (col * kBlocks + block) * blobSize;
      for (let local = 0; local < blockSize; local++) {
        const row = start + local;
        const level =
          row >= end || scale === 0 ? zeroPoint : clampLevel(Math.round(weight[row * n + col]! / scale) + zeroPoint);
        packed[blobOffset + (local >> 1)]! |= level << ((local & 1) * 4);
      }
    }
  }
  return { k, n, blockSize, kBlocks, blobSize, packed, scales, zeroPoints };
}

/** The row-major K×N matrix that MatMulNBits computes with: w = (q − zero point) · scale. */
export function dequantizeQ4(q4: Q4Weight): Float32Array {
  const { k, n, blockSize, kBlocks, blobSize, packed, scales, zeroPoints } = q4;
  const zeroPointBytes = Math.ceil(kBlocks / 2);
  const weight = new Float32Array(k * n);
  for (let col = 0; col < n; col++) {
    for (let row = 0; row < k; row++) {
      const block = Math.floor(row / blockSize);
      const local = row % blockSize;
      const byte = packed[(col * kBlocks + block) * blobSize + (local >> 1)]!;
      const level = (byte >> ((local & 1) * 4)) & 0xf;
      const zeroPoint = (zeroPoints[col * zeroPointBytes + (block >> 1)]! >> ((block & 1) * 4)) & 0xf;
      weight[row * n + col] = (level - zeroPoint) * scales[col * kBlocks + block]!;
    }
  }
  return weight;
}

/** Zero point GatherBlockQuantized assumes for 4-bit data when none is given. */
const IMPLICIT_ZERO_POINT = 8;

/**
 * Quantizes a row-major rows×cols table in blocks of `blockSize` along each row, symmetric around the implicit zero
 * point 8, as com.microsoft GatherBlockQuantized reads it without zero points: `packed` [rows, cols / 2] (element 2j
 * in the low nibble), `scales` [rows, cols / blockSize], w = (q − 8) · scale.
 */
export function quantizeRowsQ4(table: Float32Array, rows: number, cols: number, blockSize: number): { packed: Uint8Array; scales: Float32Array } {
  if (cols % blockSize !== 0 || blockSize % 2 !== 0) throw new RangeError(`cols ${cols} must be a multiple of an even blockSize ${blockSize}`);
  const blocks = cols / blockSize;
  const packed = new Uint8Array((rows * cols) / 2);
  const scales = new Float32Array(rows * blocks);
  for (let row = 0; row < rows; row++) {
    for (let block = 0; block < blocks; block++) {
      const start = row * cols + block * blockSize;
      let largest = 0;
      for (let i = start; i < start + blockSize; i++) largest = Math.max(largest, Math.abs(table[i]!));
      const scale = Math.fround(largest / (IMPLICIT_ZERO_POINT - 1));
      scales[row * blocks + block] = scale;
      for (let i = start; i < start + blockSize; i++) {
        const level = scale === 0 ? IMPLICIT_ZERO_POINT : clampLevel(Math.round(table[i]! / scale) + IMPLICIT_ZERO_POINT);
        packed[i >> 1]! |= level << ((i & 1) * 4);
      }
    }
  }
  return { packed, scales };
}
