/**
 * Constrained against unconstrained generation, run the same way in Node and in a browser worker: the time to build
 * the vocabulary table at load (LoadedModel.constraintSetupMs), and decode speed over the same number of new tokens.
 *
 * A constrained run cannot have a forced length: the format ends in the end token, which `min_new_tokens` would
 * suppress. So a pair is a constrained generation, with the app's output limit and no minimum, which ends with the
 * format's end token at some length N, and an unconstrained run of exactly N tokens (minNewTokens = maxNewTokens = N,
 * outputFormat null), on the same image and prompt, so both make N decoder steps over the same KV lengths. The first
 * pair runs the constrained generation first, to learn N; every run is of the same photo and starts cold (caches
 * cleared), so greedy decoding gives the same N every time, and the later pairs alternate which run goes first: a
 * machine that warms up or slows down over the runs then favours neither side.
 *
 * The mask's own cost is timed directly: the bench wraps ConstrainedDecoder's maskLogits and accept (all the logits
 * processor does per token besides reading the tensor) with a timer, and also transformers.js' whole logits-processor
 * step and the tokenizer's decode (the streamer's), in both runs of a pair; src/ is unchanged.
 */
import { AutoProcessor, LogitsProcessorList, PreTrainedTokenizer } from '@huggingface/transformers';
import type { RuntimeCapabilities } from '../../src/core/runtime-capabilities.ts';
import type { ModelRecord, SessionDtypes } from '../../src/core/model-catalog.ts';
import type { ModelSource } from '../../src/core/model-source.ts';
import { buildOutputFormatPlan, planTokenBound, type FormatSegment, type OutputFormatPlan } from '../../src/core/output-format-plan.ts';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import { maxRefinedPromptLength } from '../../src/core/rewrite-policy.ts';
import type { StopReason } from '../../src/core/rewriter-api.ts';
import { ConstrainedDecoder } from '../../src/core/token-constraint.ts';
import { endTokenIds, readTokenTable } from '../../src/engine/constrained-generation.ts';
import type { OrtWasmFiles } from '../../src/engine/transformers-environment.ts';
import { VlmEngine } from '../../src/engine/vlm-engine.ts';
import { ENGINE_VARIANTS } from './engine-suite.ts';
import { defined } from './defined.ts';

/** Tokens of each run of the warm-up pair. */
const WARM_UP_TOKENS = 8;

export interface ConstrainedSuiteOptions {
  model: ModelRecord;
  source: ModelSource;
  dtypes: SessionDtypes;
  probeCapabilities: () => Promise<RuntimeCapabilities>;
  ortWasmFiles?: OrtWasmFiles;
  /** Engine loads, each timing its vocabulary table; the first is the first in this process or worker. */
  loads: number;
  /** Measured pairs (a constrained run and an unconstrained one of the same length), after a short warm-up pair. */
  runs: number;
  /** The output limit the format plan is built for: the app's default (DEFAULT_MAX_NEW_TOKENS). */
  maxNewTokens: number;
  question: string;
  /** The photo of every run: each run is cold (caches cleared), so they all do the same work. */
  image: Blob;
  log?: (line: string) => void;
}

export interface ConstrainedRunRecord extends StepTimes {
  tokenCount: number;
  firstTokenMs: number;
  totalMs: number;
  stopReason: StopReason;
}

export interface ConstrainedPairRecord {
  run: number;
  /** Which run of the pair went first: it alternates, so a machine that speeds up or slows down favours neither. */
  order: 'constrained-first' | 'unconstrained-first';
  /** complete: constraint.complete, the output reached [END] and the end token. */
  constrained: ConstrainedRunRecord & { complete: boolean };
  unconstrained: ConstrainedRunRecord;
}

export interface ConstrainedSuiteRecords {
  backend: string;
  threads: number | null;
  /** constraintSetupMs of each load, in order. */
  setupMs: number[];
  /** The vocabulary as the format sees it (a table built here the way the engine builds its own). */
  table: { size: number; writable: number; freeText: number; closing: number };
  plan: { maxNewTokens: number; tokenBound: number; budgets: Record<string, number>; refinedPromptMaxChars: number };
  promptTokens: number;
  pairs: ConstrainedPairRecord[];
}

/** The format plan the app builds for this question and output limit. */
export function benchOutputFormat(maxNewTokens: number, question: string): OutputFormatPlan {
  return buildOutputFormatPlan({ maxNewTokens, refinedPromptMaxChars: maxRefinedPromptLength(question) });
}

export async function runConstrainedSuite(options: ConstrainedSuiteOptions): Promise<ConstrainedSuiteRecords> {
  const log = options.log ?? (() => undefined);
  const load = async () => {
    const engine = new VlmEngine({ probeCapabilities: options.probeCapabilities, ortWasmFiles: options.ortWasmFiles, tuning: ENGINE_VARIANTS.final });
    const info = await engine.load({ model: options.model, source: options.source, preference: 'wasm' }, () => undefined);
    return { engine, info };
  };

  const setupMs: number[] = [];
  let loaded: Awaited<ReturnType<typeof load>> | null = null;
  for (let i = 0; i < Math.max(1, options.loads); i++) {
    await loaded?.engine.dispose();
    loaded = await load();
    setupMs.push(loaded.info.constraintSetupMs);
    log(`load ${i + 1}/${options.loads}: ${ms(loaded.info.loadMs)}, of which the vocabulary table ${ms(loaded.info.constraintSetupMs)}`);
  }
  const { engine, info } = defined(loaded, 'a loaded engine');
  const table = await describeTable(options.model.id);

  const plan = benchOutputFormat(options.maxNewTokens, options.question);
  const messages = buildRewriteMessages(options.question);
  const { image } = options;
  let promptTokens = 0;

  const constrainedRun = async (stopAfter = Infinity) => {
    engine.clearCaches();
    const stopFlag = new Int32Array(1);
    const result = await engine.generate(
      { image, messages, maxNewTokens: options.maxNewTokens, outputFormat: plan, stopFlag },
      (update) => {
        if (update.tokenCount >= stopAfter) Atomics.store(stopFlag, 0, 1);
      },
    );
    promptTokens = result.profile.promptTokens;
    return { ...record(result), complete: result.constraint?.complete ?? false };
  };
  const unconstrainedRun = async (tokens: number) => {
    engine.clearCaches();
    const result = await engine.generate(
      { image, messages, maxNewTokens: tokens, minNewTokens: tokens, outputFormat: null },
      () => undefined,
    );
    return record(result);
  };

  const pairs: ConstrainedPairRecord[] = [];
  const timer = installStepTimers(plan);
  const timed = async <T>(work: () => Promise<T>): Promise<T & StepTimes> => {
    timer.reset();
    const result = await work();
    return { ...result, ...timer.read() };
  };
  try {
    // The warm-up: first-run work only, so a stop flag ends it after a few tokens.
    const warmUp = await constrainedRun(WARM_UP_TOKENS);
    await unconstrainedRun(warmUp.tokenCount);
    log(`warm-up: ${warmUp.tokenCount} tokens each way`);
    // N, once known: greedy decoding of the same image and prompt gives the same tokens every time.
    let knownLength: number | null = null;
    for (let run = 0; run < options.runs; run++) {
      let order: ConstrainedPairRecord['order'] = run % 2 === 1 && knownLength !== null ? 'unconstrained-first' : 'constrained-first';
      let unconstrained: ConstrainedRunRecord | null = order === 'unconstrained-first' ? await timed(() => unconstrainedRun(defined(knownLength, 'N'))) : null;
      const constrained = await timed(() => constrainedRun());
      if (unconstrained && unconstrained.tokenCount !== constrained.tokenCount) {
        log(`pair #${run}: the constrained run made ${constrained.tokenCount} tokens, not ${unconstrained.tokenCount}; timing the free run again after it`);
        unconstrained = null;
        order = 'constrained-first';
      }
      unconstrained ??= await timed(() => unconstrainedRun(constrained.tokenCount));
      if (unconstrained.tokenCount !== constrained.tokenCount) {
        throw new Error(`the unconstrained run made ${unconstrained.tokenCount} tokens, not the constrained run's ${constrained.tokenCount}`);
      }
      knownLength = constrained.tokenCount;
      log(
        `pair #${run} (${order}): constrained ${constrained.tokenCount} tokens in ${ms(constrained.totalMs)} ` +
          `(first ${ms(constrained.firstTokenMs)}, ${constrained.complete ? 'complete' : `incomplete, ${constrained.stopReason}`}, ` +
          `mask ${(constrained.maskMs / Math.max(1, constrained.maskSteps)).toFixed(2)} ms/token); unconstrained ` +
          `${unconstrained.tokenCount} tokens in ${ms(unconstrained.totalMs)} (first ${ms(unconstrained.firstTokenMs)})`,
      );
      pairs.push({ run, order, constrained, unconstrained });
    }
  } finally {
    timer.restore();
  }
  await engine.dispose();
  return {
    backend: info.plan.backend,
    threads: info.plan.wasmThreads ?? null,
    setupMs,
    table,
    plan: { maxNewTokens: options.maxNewTokens, tokenBound: planTokenBound(plan), budgets: budgetsOf(plan), refinedPromptMaxChars: maxRefinedPromptLength(options.question) },
    promptTokens,
    pairs,
  };
}

function record(result: Awaited<ReturnType<VlmEngine['generate']>>): Omit<ConstrainedRunRecord, keyof StepTimes> {
  return {
    tokenCount: result.tokenCount,
    firstTokenMs: result.firstTokenMs,
    totalMs: result.totalMs,
    stopReason: result.stopReason,
  };
}

/** Sizes of the table the engine indexes at load: every id, those with text, free-text ones, section closers. */
async function describeTable(modelId: string): Promise<ConstrainedSuiteRecords['table']> {
  const processor = await AutoProcessor.from_pretrained(modelId);
  const tokenizer = defined(processor.tokenizer, 'the tokenizer');
  const table = readTokenTable(tokenizer, endTokenIds(null, tokenizer));
  return {
    size: table.size,
    writable: table.texts.filter((text) => text !== null && text !== '').length,
    freeText: table.freeOnly.reduce((sum, flag) => sum + flag, 0),
    closing: table.closers.length,
  };
}

function budgetsOf(plan: OutputFormatPlan): Record<string, number> {
  return Object.fromEntries(
    plan.segments.filter((segment): segment is Extract<FormatSegment, { kind: 'free' }> => segment.kind === 'free').map((segment) => [segment.section, segment.maxTokens]),
  );
}

export interface StepTimes {
  /** Inside ConstrainedDecoder.maskLogits and .accept, and how many masks were computed. */
  maskMs: number;
  maskSteps: number;
  /** maskLogits alone, per kind of segment the step was in (see segmentKind). */
  maskBySegment: Record<string, { steps: number; ms: number }>;
  /** The whole logits-processor step of transformers.js (LogitsProcessorList), whatever it holds. */
  processorsMs: number;
  /** Tokenizer.decode: during a run, the streamer re-decoding the text since its last newline. */
  textDecodeMs: number;
}

/**
 * Wraps, with timers, ConstrainedDecoder.prototype.maskLogits and .accept (the engine's logits processor calls both,
 * and nothing else of ours, once per token), LogitsProcessorList.prototype._call and PreTrainedTokenizer.prototype
 * .decode. The modules are the ones the engine imports, so its own decoders, processor lists and tokenizer are timed.
 */
function installStepTimers(plan: OutputFormatPlan) {
  const empty = (): StepTimes => ({ maskMs: 0, maskSteps: 0, maskBySegment: {}, processorsMs: 0, textDecodeMs: 0 });
  const times = empty();
  const restorers: Array<() => void> = [];
  // Nested calls (a processor list inside a list) count once.
  const wrap = <T extends object, K extends keyof T & string>(target: T, key: K, add: (ms: number) => void) => {
    const original = target[key] as unknown as (...args: unknown[]) => unknown;
    let depth = 0;
    target[key] = function timed(this: T, ...args: unknown[]) {
      const started = performance.now();
      depth += 1;
      try {
        return original.apply(this, args);
      } finally {
        depth -= 1;
        if (depth === 0) add(performance.now() - started);
      }
    } as unknown as T[K];
    restorers.push(() => {
      target[key] = original as unknown as T[K];
    });
  };
  let pendingKind = '';
  wrap(ConstrainedDecoder.prototype, 'maskLogits', (ms) => {
    times.maskMs += ms;
    times.maskSteps += 1;
    const entry = (times.maskBySegment[pendingKind] ??= { steps: 0, ms: 0 });
    entry.steps += 1;
    entry.ms += ms;
  });
  // Outside the timer, before the step: the kind of segment the decoder is about to mask for.
  const maskLogits = ConstrainedDecoder.prototype.maskLogits;
  ConstrainedDecoder.prototype.maskLogits = function classified(this: ConstrainedDecoder, logits: Float32Array) {
    pendingKind = segmentKind(plan, this);
    maskLogits.call(this, logits);
  };
  restorers.push(() => {
    ConstrainedDecoder.prototype.maskLogits = maskLogits;
  });
  wrap(ConstrainedDecoder.prototype, 'accept', (ms) => (times.maskMs += ms));
  wrap(LogitsProcessorList.prototype, '_call', (ms) => (times.processorsMs += ms));
  wrap(PreTrainedTokenizer.prototype, 'decode', (ms) => (times.textDecodeMs += ms));
  return {
    reset() {
      Object.assign(times, empty());
    },
    read: (): StepTimes => structuredClone(times),
    restore() {
      for (const restore of restorers.reverse()) restore();
    },
  };
}

/**
 * The kind of step a decoder is at: 'free' (an analysis), 'free-bounded' (the refined prompt, whose character bound
 * costs a pass over the vocabulary), 'literal' (a tag), 'level', 'category', 'end-of-text', or 'ended' (violated).
 */
function segmentKind(plan: OutputFormatPlan, decoder: ConstrainedDecoder): string {
  if (decoder.outcome().violated) return 'ended';
  const segment = plan.segments[decoder.state.segment];
  if (!segment) return 'ended';
  return segment.kind === 'free' && segment.maxChars !== null ? 'free-bounded' : segment.kind;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}
