/**
 * Our configuration against the one the official transformers.js SmolVLM example uses, on one large photo:
 * fp32 sessions and the processor's defaults (a 2048-px image becomes 4×3 tiles of 512 px plus a global view, each
 * 64 tokens), versus the recipe's q4 sessions with the image shrunk to one tile. Runs alternate between the two.
 */
import {
  AutoModelForImageTextToText,
  AutoProcessor,
  RawImage,
  TextStreamer,
  type Tensor,
} from '@huggingface/transformers';
import type { RuntimeCapabilities } from '../../src/core/runtime-capabilities.ts';
import type { ModelRecord, SessionDtypes } from '../../src/core/model-catalog.ts';
import type { ModelSource } from '../../src/core/model-source.ts';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import type { OrtWasmFiles } from '../../src/engine/transformers-environment.ts';
import { configureTransformers } from '../../src/engine/transformers-environment.ts';
import { VlmEngine } from '../../src/engine/vlm-engine.ts';
import { ENGINE_VARIANTS } from './engine-suite.ts';
import { defined } from './defined.ts';

export interface OfficialComparisonOptions {
  model: ModelRecord;
  source: ModelSource;
  backend: 'cpu' | 'wasm';
  ourDtypes: SessionDtypes;
  probeCapabilities: () => Promise<RuntimeCapabilities>;
  ortWasmFiles?: OrtWasmFiles;
  wasmThreads?: number;
  image: Blob;
  /** A small image for the unmeasured warm-up of both configurations. */
  warmUpImage: Blob;
  runs: number;
  newTokens: number;
  question: string;
  log?: (line: string) => void;
}

export interface ConfigRun {
  firstTokenMs: number;
  totalMs: number;
  tokenCount: number;
}

export interface OfficialComparisonRecords {
  image: { width: number; height: number };
  ours: { runs: ConfigRun[]; promptTokens: number; tiles: number };
  official: { runs: ConfigRun[]; promptTokens: number; tiles: number };
}

export async function compareWithOfficialConfig(options: OfficialComparisonOptions): Promise<OfficialComparisonRecords> {
  const log = options.log ?? (() => undefined);
  const model: ModelRecord = {
    ...options.model,
    recipes: { webgpuF16: options.ourDtypes, webgpu: options.ourDtypes, wasm: options.ourDtypes, cpu: options.ourDtypes },
  };
  const ours = new VlmEngine({
    probeCapabilities: options.probeCapabilities,
    ortWasmFiles: options.ortWasmFiles,
    tuning: ENGINE_VARIANTS.final,
  });
  await ours.load({ model, source: options.source, preference: 'wasm' }, () => undefined);

  // What the example does, line for line: no dtype per session, no image options.
  configureTransformers(options.source, { backend: options.backend, dtypes: options.ourDtypes, wasmThreads: options.wasmThreads, reason: '' }, options.ortWasmFiles);
  const processor = await AutoProcessor.from_pretrained(model.id);
  const vlm = await AutoModelForImageTextToText.from_pretrained(model.id, { dtype: 'fp32', device: options.backend });
  const official = async (blob: Blob): Promise<ConfigRun & { promptTokens: number; tiles: number }> => {
    const started = performance.now();
    let firstTokenMs = 0;
    let tokenCount = 0;
    const image = await RawImage.fromBlob(blob);
    const prompt = processor.apply_chat_template(buildRewriteMessages(options.question) as never, { add_generation_prompt: true });
    const inputs = (await processor(prompt, [image])) as Record<string, Tensor>;
    const streamer = new TextStreamer(defined(processor.tokenizer, 'the tokenizer'), {
      skip_prompt: true,
      // The default callback prints the text to stdout.
      callback_function: () => undefined,
      token_callback_function: () => {
        tokenCount += 1;
        if (tokenCount === 1) firstTokenMs = performance.now() - started;
      },
    });
    await vlm.generate({ ...inputs, max_new_tokens: options.newTokens, min_new_tokens: options.newTokens, do_sample: false, streamer });
    return {
      firstTokenMs,
      totalMs: performance.now() - started,
      tokenCount,
      promptTokens: defined(inputs['input_ids']?.dims.at(-1), 'input_ids'),
      tiles: defined(inputs['pixel_values']?.dims[1], 'pixel_values'),
    };
  };
  const ourRun = async (blob: Blob): Promise<ConfigRun & { promptTokens: number }> => {
    // Every run is a first sight of the photo: nothing may come from the caches.
    ours.clearCaches();
    const result = await ours.generate(
      { image: blob, messages: buildRewriteMessages(options.question), maxNewTokens: options.newTokens, outputFormat: null, minNewTokens: options.newTokens },
      () => undefined,
    );
    return { firstTokenMs: result.firstTokenMs, totalMs: result.totalMs, tokenCount: result.tokenCount, promptTokens: result.profile.promptTokens };
  };

  await ourRun(options.warmUpImage);
  await official(options.warmUpImage);
  const records: OfficialComparisonRecords = {
    image: await imageSize(options.image),
    ours: { runs: [], promptTokens: 0, tiles: 1 },
    official: { runs: [], promptTokens: 0, tiles: 0 },
  };
  for (let run = 0; run < options.runs; run++) {
    for (const which of run % 2 === 0 ? (['ours', 'official'] as const) : (['official', 'ours'] as const)) {
      if (which === 'ours') {
        const { promptTokens, ...result } = await ourRun(options.image);
        records.ours.runs.push(result);
        records.ours.promptTokens = promptTokens;
        log(`large image, ours #${run}: first token ${Math.round(result.firstTokenMs)} ms, total ${Math.round(result.totalMs)} ms`);
      } else {
        const { promptTokens, tiles, ...result } = await official(options.image);
        records.official.runs.push(result);
        Object.assign(records.official, { promptTokens, tiles });
        log(`large image, official #${run}: first token ${Math.round(result.firstTokenMs)} ms, total ${Math.round(result.totalMs)} ms`);
      }
    }
  }
  await ours.dispose();
  await vlm.dispose();
  return records;
}

async function imageSize(blob: Blob): Promise<{ width: number; height: number }> {
  const image = await RawImage.fromBlob(blob);
  return { width: image.width, height: image.height };
}
