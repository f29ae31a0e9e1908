/**
 * 8-bit weights as onnxruntime's dynamic quantization writes them (the `_quantized` files of real exports): one
 * asymmetric uint8 scale and zero point for the whole tensor, consumed by MatMulInteger.
 */
export interface Q8Weight {
  data: Uint8Array;
  scale: number;
  zeroPoint: number;
}

/** Quantizes a tensor; every element is reproduced within half a scale step. */
export function quantizeQ8(weight: Float32Array): Q8Weight {
  let min = 0;
  let max = 0;
  for (const value of weight) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  // The range always holds 0, so that 0 is exact, as onnxruntime's quantizer does.
  const scale = max > min ? (max - min) / 255 : 1;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-min / scale)));
  const data = new Uint8Array(weight.length);
  for (const [i, value] of weight.entries()) data[i] = Math.min(255, Math.max(0, Math.round(value / scale) + zeroPoint));
  return { data, scale, zeroPoint };
}
