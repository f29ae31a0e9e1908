/**
 * transformers.js 4.3.2's ONNX file-name suffix per dtype (DEFAULT_DTYPE_SUFFIX_MAPPING in utils/dtypes.js, which the
 * package does not export): the q4 decoder is `onnx/decoder_model_merged_q4.onnx`.
 */
export const DTYPE_SUFFIXES = {
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  q4: '_q4',
  q2: '_q2',
  q1: '_q1',
  q4f16: '_q4f16',
  q2f16: '_q2f16',
  q1f16: '_q1f16',
  bnb4: '_bnb4',
} as const;

export type FileDtype = keyof typeof DTYPE_SUFFIXES;

/** A session's file below the model's root, as transformers.js requests it for `dtype`. */
export function onnxFile(session: string, dtype: FileDtype): string {
  return `onnx/${session}${DTYPE_SUFFIXES[dtype]}.onnx`;
}
