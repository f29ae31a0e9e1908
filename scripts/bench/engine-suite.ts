/**
 * The measurements that run the same way in Node and in a browser worker: engine loads, cold rewrites, rewrites of
 * the same image with a new question, and the raw onnxruntime loop, interleaved run by run so that a slow phase of
 * a shared machine hits every variant alike. Returns raw records; bench-analysis.ts turns them into the report.
 */
import { AutoProcessor, RawImage, type Processor, type Tensor } from '@huggingface/transformers';
import type { RuntimeCapabilities } from '../../src/core/runtime-capabilities.ts';
import type { ModelRecord, SessionDtypes } from '../../src/core/model-catalog.ts';
import { fitImageSize, MODEL_FAMILIES } from '../../src/core/model-families.ts';
import type { ModelSource } from '../../src/core/model-source.ts';
import type { ChatMessage } from '../../src/core/rewriter-api.ts';
import { buildRewriteInstruction, buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import type { OrtWasmFiles } from '../../src/engine/transformers-environment.ts';
import { VlmEngine, type EngineTuning, type GenerateProfile } from '../../src/engine/vlm-engine.ts';
import type { RawModelFiles, RawModelShape, RawRequest, OrtModule } from './raw-loop.ts';
import { RawSmolVlmLoop } from './raw-loop.ts';
import { defined } from './defined.ts';

/** Engine configurations compared in the suite; each is one VlmEngine with these speed-ups. */
export const ENGINE_VARIANTS = {
  /** The engine before this work: no caches, the processor's own 2048-px round trip. */
  base: { visionFeatureCache: false, promptPrefixCache: false, directTileResize: false, warmUp: 'never' },
  /** Only the preprocessing fix: the same work as the raw loop, for the overhead comparison. */
  noCache: { visionFeatureCache: false, promptPrefixCache: false, directTileResize: true, warmUp: 'never' },
  visionCache: { visionFeatureCache: true, promptPrefixCache: false, directTileResize: true, warmUp: 'never' },
  /** Everything on, as the app runs it. */
  final: { visionFeatureCache: true, promptPrefixCache: true, directTileResize: true, warmUp: 'never' },
} as const satisfies Record<string, EngineTuning>;
export type EngineVariant = keyof typeof ENGINE_VARIANTS;

/** 'cold-other-order': a new image, with the prompt in the order the app does not use (see otherOrderMessages). */
export type Scenario = 'cold' | 'cold-other-order' | 'same-image';

export interface SuiteOptions {
  model: ModelRecord;
  source: ModelSource;
  dtypes: SessionDtypes;
  probeCapabilities: () => Promise<RuntimeCapabilities>;
  ortWasmFiles?: OrtWasmFiles;
  /** Measured runs per scenario and variant, after one unmeasured warm-up. */
  runs: number;
  /** Engine loads per warm-up setting. */
  loads: number;
  /** New tokens of the cold runs (decode speed); `cacheTokens` for the runs that only time the first token. */
  newTokens: number;
  cacheTokens: number;
  questions: readonly string[];
  /** Distinct images, at least suiteImageCount() of them: every cold run gets one nobody has seen. */
  images: readonly Blob[];
  variants: readonly EngineVariant[];
  /** Also time cold rewrites with the prompt in the other order (image first or instructions first). */
  orderExperiment: boolean;
  /** Time rewrites of the same image with an edited question (the caches' case); default true. */
  sameImage?: boolean;
  /** Interleave the raw onnxruntime loop with the cold runs. */
  raw?: { ort: OrtModule; files: RawModelFiles; shape: RawModelShape; sessionOptions?: Record<string, unknown> };
  log?: (line: string) => void;
}

export interface LoadRecord {
  warmUp: 'never' | 'always';
  loadMs: number;
  /** The first rewrite after loading, timed to its first token. */
  firstRewriteFirstTokenMs: number;
}

export interface RunRecord {
  variant: EngineVariant | 'raw';
  scenario: Scenario;
  run: number;
  firstTokenMs: number;
  totalMs: number;
  tokenCount: number;
  tokenIds: number[];
  profile?: Omit<GenerateProfile, 'tokenIds'>;
  /** Raw loop only: the vision session's run time. */
  visionMs?: number;
}

export interface SuiteRecords {
  backend: string;
  threads: number | null;
  loads: LoadRecord[];
  runs: RunRecord[];
  promptTokens: number;
}

/** How many distinct images runEngineSuite needs. */
export function suiteImageCount(options: Pick<SuiteOptions, 'loads' | 'runs' | 'orderExperiment' | 'sameImage'>): number {
  return options.loads * 2 + (options.runs + 1) * (1 + (options.orderExperiment ? 1 : 0) + (options.sameImage === false ? 0 : 1));
}

export async function runEngineSuite(options: SuiteOptions): Promise<SuiteRecords> {
  const log = options.log ?? (() => undefined);
  const model: ModelRecord = { ...options.model, recipes: sameRecipeEverywhere(options.dtypes) };
  const load = async (tuning: EngineTuning) => {
    const engine = new VlmEngine({ probeCapabilities: options.probeCapabilities, ortWasmFiles: options.ortWasmFiles, tuning });
    const info = await engine.load({ model, source: options.source, preference: 'wasm' }, () => undefined);
    return { engine, info };
  };
  const images = [...options.images];
  const nextImage = (): Blob => {
    const image = images.shift();
    if (!image) throw new Error('the suite ran out of distinct images');
    return image;
  };
  const messages = (question: string) => buildRewriteMessages(question);
  const question = defined(options.questions[0], 'a question');
  const otherQuestion = options.questions[1] ?? question;

  // Loads, with and without the warm-up generation, each followed by its first rewrite.
  const loads: LoadRecord[] = [];
  let backend = 'unknown';
  let threads: number | null = null;
  // One unmeasured load first: the first in a process (or page) also pays for starting the runtime (in a browser,
  // fetching and compiling 27 MB of wasm), which would land on whichever variant came first.
  if (options.loads > 0) await (await load(ENGINE_VARIANTS.final)).engine.dispose();
  for (let i = 0; i < options.loads; i++) {
    for (const warmUp of ['never', 'always'] as const) {
      const started = performance.now();
      const { engine, info } = await load({ ...ENGINE_VARIANTS.final, warmUp });
      const loadMs = performance.now() - started;
      backend = info.plan.backend;
      threads = info.plan.wasmThreads ?? null;
      const first = await engine.generate(
        { image: nextImage(), messages: messages(question), maxNewTokens: options.cacheTokens, outputFormat: null, minNewTokens: options.cacheTokens },
        () => undefined,
      );
      loads.push({ warmUp, loadMs, firstRewriteFirstTokenMs: first.firstTokenMs });
      log(`load ${i + 1}/${options.loads} (warm-up ${warmUp}): ${ms(loadMs)}, first token after ${ms(first.firstTokenMs)}`);
      await engine.dispose();
    }
  }

  const engines = new Map<EngineVariant, VlmEngine>();
  for (const variant of options.variants) engines.set(variant, (await load(ENGINE_VARIANTS[variant])).engine);
  // Its own engine, so that every prompt it sees has the same order, as it would in an app that used that order.
  const otherOrderEngine = options.orderExperiment ? (await load(ENGINE_VARIANTS.final)).engine : null;
  const raw = options.raw
    ? await RawSmolVlmLoop.load(options.raw.ort, options.raw.files, options.raw.shape, options.raw.sessionOptions)
    : null;
  const processor = raw ? await AutoProcessor.from_pretrained(model.id) : null;

  const records: RunRecord[] = [];
  let promptTokens = 0;
  const rewrite = async (variant: EngineVariant, scenario: Scenario, run: number, image: Blob, chat: ChatMessage[], tokens: number) => {
    const engine = defined(scenario === 'cold-other-order' ? otherOrderEngine : engines.get(variant), `the ${variant} engine`);
    const result = await engine.generate(
      { image, messages: chat, maxNewTokens: tokens, outputFormat: null, minNewTokens: tokens },
      () => undefined,
    );
    const { tokenIds, ...profile } = result.profile;
    if (scenario === 'cold') promptTokens = profile.promptTokens;
    const record: RunRecord = {
      variant, scenario, run, firstTokenMs: result.firstTokenMs, totalMs: result.totalMs, tokenCount: result.tokenCount, tokenIds, profile,
    };
    if (run >= 0) records.push(record);
    log(`${scenario} ${variant} #${run}: first token ${ms(result.firstTokenMs)}, ${result.tokenCount} tokens in ${ms(result.totalMs)}`);
    return record;
  };
  const rawRun = async (scenario: Scenario, run: number, image: Blob, chat: ChatMessage[], tokens: number) => {
    const request = await prepareRawRequest(defined(processor, 'the processor'), model, image, chat);
    const result = await defined(raw, 'the raw loop').run(request, tokens);
    if (run >= 0) {
      records.push({
        variant: 'raw', scenario, run, firstTokenMs: result.firstTokenMs, totalMs: result.totalMs,
        tokenCount: result.tokenIds.length, tokenIds: result.tokenIds, visionMs: result.visionMs,
      });
    }
    log(`${scenario} raw #${run}: first token ${ms(result.firstTokenMs)}, ${result.tokenIds.length} tokens in ${ms(result.totalMs)}`);
  };

  // Run -1 is the unmeasured warm-up of every variant. The order rotates so no variant always runs first.
  const order = (run: number): Array<EngineVariant | 'raw'> => {
    const all: Array<EngineVariant | 'raw'> = [...options.variants, ...(raw ? (['raw'] as const) : [])];
    const shift = ((run % all.length) + all.length) % all.length;
    return [...all.slice(shift), ...all.slice(0, shift)];
  };
  for (let run = -1; run < options.runs; run++) {
    const image = nextImage();
    // The vision cache cannot help a new image, so its engine sits the cold runs out.
    for (const variant of order(run).filter((name) => name !== 'visionCache')) {
      if (variant === 'raw') await rawRun('cold', run, image, messages(question), options.newTokens);
      else await rewrite(variant, 'cold', run, image, messages(question), options.newTokens);
    }
    if (otherOrderEngine) {
      await rewrite('final', 'cold-other-order', run, nextImage(), otherOrderMessages(question), options.newTokens);
    }
  }

  // The same picture again with an edited question: the case both caches are for.
  const cacheVariants: EngineVariant[] = options.sameImage === false ? [] : options.variants.filter((variant) => variant !== 'base');
  for (let run = -1; run < options.runs && cacheVariants.length > 0; run++) {
    // One picture per run, shared by the variants (separate engines, separate caches), so their tokens can be compared.
    const image = nextImage();
    for (const variant of order(run).filter((name): name is EngineVariant => name !== 'raw' && cacheVariants.includes(name))) {
      await rewrite(variant, 'same-image', -1, image, messages(question), options.cacheTokens);
      await rewrite(variant, 'same-image', run, image, messages(otherQuestion), options.cacheTokens);
    }
  }

  for (const engine of engines.values()) await engine.dispose();
  await otherOrderEngine?.dispose();
  await raw?.release();
  return { backend, threads, loads, runs: records, promptTokens };
}

/** One suite's records from two runs of it (e.g. two browser pages, to keep each wasm heap small). */
export function mergeSuiteRecords(first: SuiteRecords, second: SuiteRecords): SuiteRecords {
  return {
    backend: first.backend,
    threads: first.threads ?? second.threads,
    loads: [...first.loads, ...second.loads],
    runs: [...first.runs, ...second.runs],
    promptTokens: first.promptTokens || second.promptTokens,
  };
}

/** Whether the app's prompt (buildRewriteMessages) puts the instruction text before the image. */
export function appPromptIsTextFirst(): boolean {
  return buildRewriteMessages('?')[0]?.content[0]?.type === 'text';
}

/** The rewrite prompt in the order the app does not use, content unchanged: the other side of the order experiment. */
export function otherOrderMessages(question: string): ChatMessage[] {
  if (!appPromptIsTextFirst()) {
    const [before, after] = buildRewriteInstruction(question).split(/(?=User question:)/);
    return [{ role: 'user', content: [{ type: 'text', text: before ?? '' }, { type: 'image' }, { type: 'text', text: after ?? '' }] }];
  }
  return [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: buildRewriteInstruction(question) }] }];
}

/** The same inputs the engine builds (one tile, straight to tile size), for the raw loop. */
export async function prepareRawRequest(processor: Processor, model: ModelRecord, blob: Blob, messages: ChatMessage[]): Promise<RawRequest> {
  const traits = MODEL_FAMILIES[model.family];
  const original = await RawImage.fromBlob(blob);
  const target = fitImageSize(original.width, original.height, traits.maxImageSide);
  const image =
    target.width === original.width && target.height === original.height ? original : await original.resize(target.width, target.height);
  const imageProcessor = processor.image_processor as unknown as { size: { longest_edge: number }; max_image_size: { longest_edge: number } };
  imageProcessor.size = { ...imageProcessor.size, longest_edge: Math.min(imageProcessor.size.longest_edge, imageProcessor.max_image_size.longest_edge) };
  const prompt = processor.apply_chat_template(messages as never, { add_generation_prompt: true, ...traits.chatTemplateOptions });
  const inputs = (await processor(prompt, [image], traits.processorOptions)) as Record<string, Tensor>;
  const mask = defined(inputs['pixel_attention_mask'], 'pixel_attention_mask');
  const pixels = defined(inputs['pixel_values'], 'pixel_values');
  return {
    inputIds: defined(inputs['input_ids'], 'input_ids').data as BigInt64Array,
    pixelValues: { data: pixels.data as Float32Array, dims: pixels.dims },
    pixelAttentionMask: { data: Uint8Array.from(mask.data as ArrayLike<number | boolean>, Number), dims: mask.dims },
  };
}

function sameRecipeEverywhere(dtypes: SessionDtypes): ModelRecord['recipes'] {
  return { webgpuF16: dtypes, webgpu: dtypes, wasm: dtypes, cpu: dtypes };
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}
