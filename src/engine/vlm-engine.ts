import {
  AutoModelForImageTextToText,
  AutoProcessor,
  InterruptableStoppingCriteria,
  RawImage,
  TextStreamer,
  type PreTrainedModel,
  type Processor,
  type ProgressInfo,
} from '@huggingface/transformers';
import { planDevice, planWasm, type DevicePlan, type RuntimeCapabilities } from '../core/device-plan.ts';
import type { ModelRecord } from '../core/model-catalog.ts';
import { fitImageSize, MODEL_FAMILIES } from '../core/model-families.ts';
import type {
  ChatMessage,
  GenerateRequest,
  GenerateResult,
  LoadedModel,
  LoadProgress,
  LoadRequest,
  RewriterApi,
  StopReason,
  StreamUpdate,
} from '../core/rewriter-api.ts';
import { toLoadProgress } from './load-progress.ts';
import { configureTransformers, type OrtWasmFiles } from './transformers-environment.ts';

interface LoadedState {
  model: ModelRecord;
  processor: Processor;
  vlm: PreTrainedModel;
  info: LoadedModel;
}

export interface VlmEngineOptions {
  probeCapabilities: () => Promise<RuntimeCapabilities>;
  ortWasmFiles?: OrtWasmFiles;
}

/** Loads one image-text-to-text model with transformers.js and generates from it. */
export class VlmEngine implements RewriterApi {
  readonly #options: VlmEngineOptions;
  readonly #stopper = new InterruptableStoppingCriteria();
  #loaded: LoadedState | null = null;
  #capabilities: Promise<RuntimeCapabilities> | null = null;

  constructor(options: VlmEngineOptions) {
    this.#options = options;
  }

  probe(): Promise<RuntimeCapabilities> {
    // Keep the promise, not a failure: a rejected probe is retried on the next call.
    this.#capabilities ??= this.#options.probeCapabilities().catch((error: unknown) => {
      this.#capabilities = null;
      throw error;
    });
    return this.#capabilities;
  }

  async load(request: LoadRequest, onProgress: (progress: LoadProgress) => void): Promise<LoadedModel> {
    const started = performance.now();
    const capabilities = await this.probe();
    await this.dispose();

    const plan = planDevice(capabilities, request.model, request.preference);
    try {
      this.#loaded = await this.#loadWithPlan(request, plan, capabilities, onProgress, started);
    } catch (error) {
      if (plan.backend !== 'webgpu') throw error;
      const webGpuFailure = errorMessage(error);
      const wasmPlan = planWasm(capabilities, request.model, `WebGPU failed (${webGpuFailure})`);
      this.#loaded = await this.#loadWithPlan(request, wasmPlan, capabilities, onProgress, started);
      this.#loaded.info.webGpuFailure = webGpuFailure;
    }
    return this.#loaded.info;
  }

  async #loadWithPlan(
    request: LoadRequest,
    plan: DevicePlan,
    capabilities: RuntimeCapabilities,
    onProgress: (progress: LoadProgress) => void,
    started: number,
  ): Promise<LoadedState> {
    configureTransformers(request.source, plan, this.#options.ortWasmFiles);
    const progress_callback = (info: ProgressInfo) => {
      const event = toLoadProgress(info);
      if (event) onProgress(event);
    };
    const id = request.model.id;
    const processor = await AutoProcessor.from_pretrained(id, { progress_callback });
    const vlm = await AutoModelForImageTextToText.from_pretrained(id, {
      dtype: { ...plan.dtypes },
      device: plan.backend,
      progress_callback,
    });
    const state: LoadedState = {
      model: request.model,
      processor,
      vlm,
      info: { modelId: id, plan, capabilities, loadMs: 0 },
    };
    if (plan.backend === 'webgpu') {
      // The first WebGPU run compiles shaders; pay that during loading, not on the first rewrite.
      onProgress({ kind: 'stage', stage: 'warming-up' });
      try {
        await this.#warmUp(state);
      } catch (error) {
        await vlm.dispose();
        throw error;
      }
    }
    state.info.loadMs = performance.now() - started;
    return state;
  }

  async #warmUp(state: LoadedState): Promise<void> {
    const blank = new RawImage(new Uint8ClampedArray(64 * 64 * 3).fill(128), 64, 64, 3);
    const inputs = await prepareInputs(state, [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Hi' }] }], blank);
    await state.vlm.generate({ ...inputs, max_new_tokens: 1 });
  }

  async generate(request: GenerateRequest, onStream: (update: StreamUpdate) => void): Promise<GenerateResult> {
    const state = this.#loaded;
    if (!state) throw new Error('No model is loaded.');
    const started = performance.now();
    let firstTokenMs = 0;
    let tokenCount = 0;
    let text = '';
    // TextStreamer reports a token before the text it completes, so text is sent with the next token.
    let unsent = '';

    this.#stopper.reset();
    const { stopFlag } = request;

    const original = await RawImage.fromBlob(request.image);
    const traits = MODEL_FAMILIES[state.model.family];
    const target = fitImageSize(original.width, original.height, traits.maxImageSide);
    const image =
      target.width === original.width && target.height === original.height
        ? original
        : await original.resize(target.width, target.height);
    const inputs = await prepareInputs(state, request.messages, image);
    const { tokenizer } = state.processor;
    if (!tokenizer) throw new Error(`${state.model.id} has no tokenizer.`);
    const streamer = new TextStreamer(tokenizer, {
      skip_prompt: true,
      skip_special_tokens: true,
      callback_function: (chunk: string) => {
        text += chunk;
        unsent += chunk;
      },
      token_callback_function: () => {
        tokenCount += 1;
        if (tokenCount === 1) firstTokenMs = performance.now() - started;
        onStream({ text: unsent, tokenCount });
        unsent = '';
        // Checked after the update, so a stop requested while handling token n ends the run at n.
        if (stopFlag && Atomics.load(stopFlag, 0) === 1) this.#stopper.interrupt();
      },
    });

    await state.vlm.generate({
      ...inputs,
      max_new_tokens: request.maxNewTokens,
      do_sample: false,
      streamer,
      stopping_criteria: [this.#stopper],
    });
    if (unsent) onStream({ text: unsent, tokenCount });

    const stopReason: StopReason = this.#stopper.interrupted
      ? 'stopped'
      : tokenCount >= request.maxNewTokens
        ? 'max-tokens'
        : 'end-of-text';
    return {
      text,
      tokenCount,
      stopReason,
      firstTokenMs,
      totalMs: performance.now() - started,
      image: { original: { width: original.width, height: original.height }, processed: target },
    };
  }

  interrupt(): void {
    this.#stopper.interrupt();
  }

  async dispose(): Promise<void> {
    const loaded = this.#loaded;
    this.#loaded = null;
    await loaded?.vlm.dispose();
  }
}

/** Chat template and processor call, with the family's argument order and options. */
async function prepareInputs(state: LoadedState, messages: ChatMessage[], image: RawImage) {
  const traits = MODEL_FAMILIES[state.model.family];
  const prompt = state.processor.apply_chat_template(messages, {
    add_generation_prompt: true,
    ...traits.chatTemplateOptions,
  });
  return traits.processorArguments === 'text-then-images'
    ? state.processor(prompt, [image], traits.processorOptions)
    : state.processor([image], prompt, traits.processorOptions);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
