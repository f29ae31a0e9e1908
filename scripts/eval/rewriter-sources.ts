/**
 * Where the evaluation's rewrites and OCR come from: the rewriter in this process (loaded on the first rewrite the
 * log cannot answer, so a finished run re-reports without loading it) or served behind an endpoint, and OCR on this
 * machine. All of them go through the call log, keyed by item and inputs.
 */
import * as v from 'valibot';
import { ImageTextSchema, LevelProbabilitiesSchema } from '../../src/core/history-record-schema.ts';
import type { ImageTextOutcome } from '../../src/core/image-text.ts';
import type { ModelRecord } from '../../src/core/model-catalog.ts';
import { buildRewriteMessages, DEFAULT_MAX_NEW_TOKENS } from '../../src/core/rewrite-prompt.ts';
import { createNodeImageText, createNodeRewriter, quotedImageText, readCheckedImage, type NodeRewriter } from '../lib/node-rewriter.ts';
import { callKey, type CallLog } from './call-log.ts';
import type { EvalCalls } from './eval-calls.ts';
import type { EndpointClient } from './endpoint.ts';
import type { EvalItem } from './eval-types.ts';
import type { RewriterRun, RewriterSource } from './methods/method-context.ts';
import { constraintBody, type RewriterConstraint } from './rewrite-format-regex.ts';
import type { RewriterOutput } from './rewriter-record.ts';

export const OCR_ENGINE_NAME = 'ocr (PP-OCRv4, in-process)';

/** OCR of each item's image, once per image path and run, logged so a re-run does not load it. */
export interface ImageTextSource {
  outcome(item: EvalItem): Promise<ImageTextOutcome>;
  dispose(): Promise<void>;
}

export function createImageTextSource(log: CallLog, enabled: boolean): ImageTextSource {
  const ocr = createNodeImageText();
  const byImage = new Map<string, Promise<ImageTextOutcome>>();
  const read = async (item: EvalItem): Promise<ImageTextOutcome> => {
    const key = callKey({ kind: 'ocr', endpoint: { local: 'pp-ocrv4' }, item: item.image, inputs: { image: item.image } });
    const target = { key, kind: 'ocr', endpoint: OCR_ENGINE_NAME, item: item.id };
    try {
      const logged = await log.getOrCall(target, ImageTextSchema, async () => {
        const started = performance.now();
        const image = await readCheckedImage(item.image);
        if (typeof image === 'string') throw new Error(image);
        const outcome = await ocr.read(image);
        // A failure is logged as one, so the next run tries again.
        if (outcome.kind === 'failed') throw new Error(outcome.message);
        return { answer: outcome, usage: null, ms: Math.round(performance.now() - started) };
      });
      return logged.answer;
    } catch (error) {
      return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
  };
  return {
    outcome(item) {
      if (!enabled) return Promise.resolve({ kind: 'off' });
      let outcome = byImage.get(item.image);
      if (!outcome) {
        outcome = read(item);
        byImage.set(item.image, outcome);
      }
      return outcome;
    },
    dispose: () => ocr.dispose(),
  };
}

const OutputSchema = v.object({
  raw: v.string(),
  stopReason: v.picklist(['end-of-text', 'max-tokens', 'stopped']),
  levelProbabilities: v.nullable(LevelProbabilitiesSchema),
  ms: v.number(),
  newTokens: v.number(),
});

export interface LocalRewriterOptions {
  log: CallLog;
  model: ModelRecord;
  hubUrl: string | null;
  constrained: boolean;
  imageText: ImageTextSource;
  /** The name the tallies use. */
  name: string;
}

export interface DisposableRewriterSource extends RewriterSource {
  dispose(): Promise<void>;
}

export function localRewriterSource(options: LocalRewriterOptions): DisposableRewriterSource {
  let rewriter: Promise<NodeRewriter> | null = null;
  return {
    async rewrite(item): Promise<RewriterRun> {
      const imageText = await options.imageText.outcome(item);
      const quoted = quotedImageText(imageText);
      const key = callKey({
        kind: 'rewriter',
        endpoint: { local: options.model.id },
        item: item.id,
        inputs: { prompt: item.prompt, image: item.image, constrained: options.constrained, imageText: quoted, maxNewTokens: DEFAULT_MAX_NEW_TOKENS },
      });
      const target = { key, kind: 'rewriter', endpoint: options.name, item: item.id };
      const logged = await options.log.getOrCall(target, OutputSchema, async () => {
        rewriter ??= createNodeRewriter({ model: options.model, hubUrl: options.hubUrl });
        const { generation } = await (await rewriter).rewrite(
          { image: item.image, prompt: item.prompt, imageText },
          { constrained: options.constrained, strictness: 1, readImageText: false },
        );
        const output: RewriterOutput = {
          raw: generation.text,
          stopReason: generation.stopReason,
          levelProbabilities: generation.constraint?.levelProbabilities ?? null,
          ms: Math.round(generation.totalMs),
          newTokens: generation.tokenCount,
        };
        return { answer: output, usage: { promptTokens: 0, completionTokens: generation.tokenCount }, ms: output.ms };
      });
      return {
        output: logged.answer,
        imageText: { ocr: imageText.kind !== 'off', quoted },
        usage: [{ endpoint: options.name, usage: logged.usage }],
      };
    },
    async dispose() {
      const loading = rewriter;
      rewriter = null;
      await loading?.then((loaded) => loaded.dispose(), () => undefined);
    },
  };
}

export interface ServedRewriterOptions {
  calls: EvalCalls;
  client: EndpointClient;
  /** What goes into the request to hold the model to the format; 'none' with --no-constrain. */
  constraint: RewriterConstraint;
  imageText: ImageTextSource;
}

export function servedRewriterSource(options: ServedRewriterOptions): RewriterSource {
  return {
    async rewrite(item): Promise<RewriterRun> {
      const imageText = await options.imageText.outcome(item);
      const quoted = quotedImageText(imageText);
      const { answer } = await options.calls.chat(options.client, 'rewriter', item, {
        messages: buildRewriteMessages(item.prompt, quoted),
        image: item.image,
        maxTokens: DEFAULT_MAX_NEW_TOKENS,
        extraBody: constraintBody(options.constraint),
      });
      const output: RewriterOutput = {
        raw: answer.text,
        stopReason: answer.finishReason === 'length' ? 'max-tokens' : 'end-of-text',
        levelProbabilities: null,
        ms: answer.ms,
        newTokens: answer.usage?.completionTokens ?? 0,
      };
      return {
        output,
        imageText: { ocr: imageText.kind !== 'off', quoted },
        usage: [{ endpoint: options.client.spec.name, usage: answer.usage }],
      };
    },
  };
}
