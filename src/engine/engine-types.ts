import type { GenerateRequest, GenerateResult, RunReuse } from '../core/rewriter-api.ts';

/** Speed-ups, each measured by `npm run bench`; all on by default, the benchmark turns them off one by one. */
export interface EngineTuning {
  /** Reuse the image features of a picture rewritten before (keyed by a digest of the encoder's inputs). */
  visionFeatureCache: boolean;
  /** Reuse the decoder KV of the longest prefix shared with the previous prompt. */
  promptPrefixCache: boolean;
  /**
   * With image splitting off, let the processor resize to one tile directly. Otherwise SmolVLM's processor first
   * scales every image to its 2048-px `size.longest_edge` (upscaling a 512-px one 16-fold in pixels), normalizes
   * that, and only then shrinks it to the 512-px tile.
   */
  directTileResize: boolean;
  /**
   * Run one short generation while loading, so the first rewrite does not pay for first-run work (shader
   * compilation on WebGPU, buffer allocation everywhere).
   */
  warmUp: 'webgpu' | 'always' | 'never';
}

export const DEFAULT_ENGINE_TUNING: Readonly<EngineTuning> = Object.freeze({
  visionFeatureCache: true,
  promptPrefixCache: true,
  directTileResize: true,
  warmUp: 'webgpu',
});

/** GenerateRequest plus engine-only knobs (used by the benchmark; the app leaves them unset). */
export interface EngineGenerateRequest extends GenerateRequest {
  /**
   * Suppress the end token until this many tokens exist, to time a fixed length. It conflicts with a format that
   * ends in the end token, so the benchmark sets it on unconstrained runs only.
   */
  minNewTokens?: number;
  /** Called with each step's logits before the format's mask (tests compute the level softmax from them). */
  inspectLogits?: (logits: Float32Array) => void;
}

/** Where the time before the first token went, and what the caches saved. */
export interface GenerateProfile {
  /** Decoding and resizing the image, chat template, tokenization and pixel preprocessing. */
  preprocessMs: number;
  /** Hashing the vision inputs for the caches (0 with both caches off). */
  digestMs: number;
  /** The vision encoder run; 0 when the features came from a cache or the image was in the reused prefix. */
  visionMs: number;
  vision: RunReuse['image'];
  promptTokens: number;
  /** Prompt positions whose KV came from the prefix cache. */
  reusedPrefixTokens: number;
  /** Generated token ids, for checking that a cached run equals a cold one. */
  tokenIds: number[];
  /** Of the generated tokens, those inside the output format's fixed tags (0 unconstrained). */
  tagTokens: number;
}

export interface EngineGenerateResult extends GenerateResult {
  /** The engine always has the image it generated from. */
  image: NonNullable<GenerateResult['image']>;
  profile: GenerateProfile;
}
