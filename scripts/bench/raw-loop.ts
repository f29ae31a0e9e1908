/**
 * The floor our stack is measured against: the same three ONNX sessions driven by hand with onnxruntime (Node or
 * Web, whichever module is passed in), no transformers.js in the loop. embed → vision → write the image features
 * into the `<image>` rows → prefill, in the parts the engine prefills in → greedy argmax decoding with the KV cache
 * fed back as is.
 */
import { planPrefixReuse } from '../../src/engine/prompt-prefix-cache.ts';

/** The part of onnxruntime's API this loop uses; onnxruntime-node and onnxruntime-web both fit it. */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
export interface OrtModule {
  InferenceSession: { create(model: string | Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32' | 'int64' | 'bool', data: Float32Array | BigInt64Array | Uint8Array, dims: readonly number[]) => OrtTensor;
}

export interface RawModelShape {
  numLayers: number;
  numKeyValueHeads: number;
  headDim: number;
  hiddenSize: number;
  imageTokenId: number;
  eosTokenId: number;
}

/** What the processor produced for one request; the loop starts from here, as transformers.js' forward does. */
export interface RawRequest {
  inputIds: BigInt64Array;
  pixelValues: { data: Float32Array; dims: readonly number[] };
  /** One byte per pixel, 1 = real. */
  pixelAttentionMask: { data: Uint8Array; dims: readonly number[] };
}

export interface RawRunResult {
  tokenIds: number[];
  visionMs: number;
  /** From the first session run to the first token's argmax. */
  firstTokenMs: number;
  totalMs: number;
}

export type RawModelFiles = Record<'embed' | 'vision' | 'decoder', string | Uint8Array>;

export class RawSmolVlmLoop {
  private constructor(
    private readonly ort: OrtModule,
    private readonly shape: RawModelShape,
    private readonly sessions: Record<'embed' | 'vision' | 'decoder', OrtSession>,
  ) {}

  static async load(ort: OrtModule, files: RawModelFiles, shape: RawModelShape, options: Record<string, unknown> = {}) {
    const create = (file: string | Uint8Array) => ort.InferenceSession.create(file, options);
    // One at a time, as transformers.js' web backend does, so load times are comparable.
    const embed = await create(files.embed);
    const vision = await create(files.vision);
    const decoder = await create(files.decoder);
    return new RawSmolVlmLoop(ort, shape, { embed, vision, decoder });
  }

  /** Greedy decoding of exactly `newTokens` tokens (the end token is never picked, as with min_new_tokens). */
  async run(request: RawRequest, newTokens: number): Promise<RawRunResult> {
    const { ort, shape, sessions } = this;
    const started = performance.now();
    const promptLength = request.inputIds.length;

    const embedded = await sessions.embed.run({ input_ids: new ort.Tensor('int64', request.inputIds, [1, promptLength]) });
    const inputsEmbeds = output(embedded, 'inputs_embeds').data as Float32Array;
    const visionStarted = performance.now();
    const vision = await sessions.vision.run({
      pixel_values: new ort.Tensor('float32', request.pixelValues.data, request.pixelValues.dims),
      pixel_attention_mask: new ort.Tensor('bool', request.pixelAttentionMask.data, request.pixelAttentionMask.dims),
    });
    const visionMs = performance.now() - visionStarted;
    mergeImageFeatures(inputsEmbeds, request.inputIds, output(vision, 'image_features').data as Float32Array, shape);

    let past: Record<string, OrtTensor> = {};
    for (let layer = 0; layer < shape.numLayers; layer++) {
      for (const part of ['key', 'value']) {
        past[`past_key_values.${layer}.${part}`] = new ort.Tensor('float32', new Float32Array(0), [1, shape.numKeyValueHeads, 0, shape.headDim]);
      }
    }
    const decode = async (embeds: OrtTensor, from: number, to: number) => {
      const outputs = await sessions.decoder.run({
        inputs_embeds: embeds,
        attention_mask: new ort.Tensor('int64', new BigInt64Array(to).fill(1n), [1, to]),
        position_ids: new ort.Tensor('int64', BigInt64Array.from({ length: to - from }, (_, i) => BigInt(from + i)), [1, to - from]),
        ...past,
      });
      past = {};
      for (const [name, tensor] of Object.entries(outputs)) {
        if (name.startsWith('present.')) past[name.replace('present.', 'past_key_values.')] = tensor;
      }
      return output(outputs, 'logits');
    };
    const promptRows = (from: number, to: number) =>
      new ort.Tensor('float32', inputsEmbeds.slice(from * shape.hiddenSize, to * shape.hiddenSize), [1, to - from, shape.hiddenSize]);

    // A q8 decoder quantizes each call's activations with one scale, so only the engine's parts give its numbers.
    const { prefill } = planPrefixReuse(null, 0, { ids: Array.from(request.inputIds, Number), imageTokenId: shape.imageTokenId, imageDigest: null });
    let start = 0;
    for (const { end } of prefill) {
      await decode(promptRows(start, end), start, end);
      start = end;
    }
    let embeds = promptRows(start, promptLength);
    let from = start;
    const tokenIds: number[] = [];
    let firstTokenMs = 0;
    for (let step = 0; step < newTokens; step++) {
      const total = promptLength + step;
      const logits = await decode(embeds, from, total);
      const next = argmaxOfLastRow(logits.data as Float32Array, logits.dims.at(-1) ?? 0, shape.eosTokenId);
      tokenIds.push(next);
      if (step === 0) firstTokenMs = performance.now() - started;
      if (step + 1 === newTokens) break;

      const embeddedToken = await sessions.embed.run({ input_ids: new ort.Tensor('int64', BigInt64Array.of(BigInt(next)), [1, 1]) });
      embeds = output(embeddedToken, 'inputs_embeds');
      from = total;
    }
    return { tokenIds, visionMs, firstTokenMs, totalMs: performance.now() - started };
  }

  async release(): Promise<void> {
    for (const session of Object.values(this.sessions)) await session.release();
  }
}

/** Writes feature row k into the embedding of the k-th `<image>` token (transformers.js' masked scatter). */
export function mergeImageFeatures(embeds: Float32Array, inputIds: BigInt64Array, features: Float32Array, shape: RawModelShape): void {
  const { hiddenSize, imageTokenId } = shape;
  let row = 0;
  for (let position = 0; position < inputIds.length; position++) {
    if (Number(inputIds[position]) !== imageTokenId) continue;
    embeds.set(features.subarray(row * hiddenSize, (row + 1) * hiddenSize), position * hiddenSize);
    row++;
  }
  if (row * hiddenSize !== features.length) {
    throw new Error(`${row} image tokens for ${features.length / hiddenSize} feature rows`);
  }
}

function output(outputs: Record<string, OrtTensor>, name: string): OrtTensor {
  const tensor = outputs[name];
  if (!tensor) throw new Error(`the session has no output ${name}`);
  return tensor;
}

function argmaxOfLastRow(logits: Float32Array, vocabSize: number, excludedId: number): number {
  const offset = logits.length - vocabSize;
  let best = excludedId === 0 ? 1 : 0;
  for (let id = 0; id < vocabSize; id++) {
    if (id !== excludedId && (logits[offset + id] ?? -Infinity) > (logits[offset + best] ?? -Infinity)) best = id;
  }
  return best;
}
