/**
 * The rewriter in this process, on onnxruntime-node: the model resolved from a catalog id, a Hub id or a folder,
 * loaded once; per rewrite, OCR (optional), the output format plan, generation and the fail-closed decision.
 * Used by the command line (scripts/rewrite.ts), the evaluation (npm run eval) and the promptfoo provider.
 */
import { existsSync, openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import PQueue from 'p-queue';
import { errorMessage } from '../../src/core/error-facts.ts';
import { checkImageBlob } from '../../src/core/image-check.ts';
import { quoteImageText, type ImageTextOutcome, type QuotedImageText } from '../../src/core/image-text.ts';
import { customModel, findModel, type ModelRecord } from '../../src/core/model-catalog.ts';
import { familyFromModelType, MODEL_FAMILIES, type ModelFamily } from '../../src/core/model-families.ts';
import type { ModelSource } from '../../src/core/model-source.ts';
import { buildOutputFormatPlan } from '../../src/core/output-format-plan.ts';
import type { RewriteResult } from '../../src/core/rewrite-format.ts';
import { maxRefinedPromptLength } from '../../src/core/rewrite-policy.ts';
import { DEFAULT_REASONING_MODE, type ReasoningMode } from '../../src/core/reasoning-mode.ts';
import { buildRewriteMessages, DEFAULT_MAX_NEW_TOKENS } from '../../src/core/rewrite-prompt.ts';
import type { LoadedModel, StreamUpdate } from '../../src/core/rewriter-api.ts';
import { withTimeout } from '../../src/core/with-timeout.ts';
import { VlmEngine, type EngineGenerateResult } from '../../src/engine/vlm-engine.ts';
import type { RewriterRecord } from '../eval/eval-types.ts';
import { decideRewriterOutput } from '../eval/rewriter-record.ts';
import { createNodeImageTextReader } from './node-ocr.ts';

export const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));

const OCR_TIMEOUT_MS = 60_000;

/** A model for --model: a folder (its family from config.json), a catalog id, or a Hub id with a family; else why not. */
export async function resolveRewriterModel(idOrFolder: string, family: string | undefined): Promise<ModelRecord | string> {
  if (family !== undefined && !(family in MODEL_FAMILIES)) return `Unknown --family ${family}.`;
  const folder = path.resolve(idOrFolder);
  if (existsSync(path.join(folder, 'config.json'))) {
    const config = JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8')) as { model_type?: string };
    const detected = familyFromModelType(config.model_type ?? '');
    const chosen = (family as ModelFamily | undefined) ?? detected;
    if (!chosen) return `${folder} holds a "${config.model_type}" model; pass --family if it is one of ${Object.keys(MODEL_FAMILIES).join(', ')}.`;
    // An absolute path is used as is by transformers.js; the record keeps the catalog's dtypes where it matches.
    const known = findModel(path.relative(MODELS_DIR, folder));
    return { ...(known ?? customModel(folder, chosen)), id: folder };
  }
  const known = findModel(idOrFolder);
  if (known) return known;
  if (!family) return `${idOrFolder} is not in the catalog and not a folder; pass --family to use it as a Hub id.`;
  return customModel(idOrFolder, family as ModelFamily);
}

/** The image file checked as the app checks it (size before reading, header before decoding); else why not. */
export async function readCheckedImage(imagePath: string): Promise<File | string> {
  const image = await openAsBlob(imagePath).then((blob) => new File([blob], path.basename(imagePath)), () => null);
  if (!image) return `Cannot read the image ${imagePath}.`;
  const check = await checkImageBlob(image);
  return check.ok ? image : check.message;
}

/** OCR on this machine, its sessions created on the first read; a failure or a timeout is an outcome, not an error. */
export interface NodeImageText {
  read(image: Blob): Promise<ImageTextOutcome>;
  dispose(): Promise<void>;
}

export function createNodeImageText(): NodeImageText {
  let reader: ReturnType<typeof createNodeImageTextReader> | null = null;
  return {
    async read(image) {
      try {
        reader ??= createNodeImageTextReader();
        const ready = await reader;
        return { kind: 'read', reading: await withTimeout(ready.read(image), OCR_TIMEOUT_MS, 'OCR took too long') };
      } catch (error) {
        return { kind: 'failed', message: errorMessage(error) };
      }
    },
    async dispose() {
      const pending = reader;
      reader = null;
      await pending?.then((ready) => ready.dispose(), () => undefined);
    },
  };
}

/** The lines OCR found, as a prompt may quote them; null when it read nothing (or did not run). */
export function quotedImageText(outcome: ImageTextOutcome): QuotedImageText | null {
  return outcome.kind === 'read' ? quoteImageText(outcome.reading.lines) : null;
}

export interface NodeRewriterOptions {
  model: ModelRecord;
  /** Where files come from: this repository's models/ folder, then the hub (null: offline). */
  hubUrl: string | null;
  /** Output limit per rewrite (default DEFAULT_MAX_NEW_TOKENS). */
  maxNewTokens?: number;
}

export interface NodeRewriteInput {
  /** An image path (checked as the app checks it) or an image already read. */
  image: string | Blob;
  prompt: string;
  /** What OCR already read in this image; when absent, `readImageText` says whether to read it now. */
  imageText?: ImageTextOutcome;
}

export interface NodeRewriteOptions {
  constrained: boolean;
  strictness: number;
  readImageText: boolean;
  /** How much the model analyses before its verdict (default full); pair it with that mode's output limit. */
  reasoning?: ReasoningMode;
  /** Each stretch of text as the model writes it. */
  onStream?: (update: StreamUpdate) => void;
}

export interface NodeRewrite {
  record: RewriterRecord;
  rewrite: RewriteResult;
  generation: EngineGenerateResult;
  imageText: ImageTextOutcome;
}

export interface NodeRewriter {
  model: ModelRecord;
  loaded: LoadedModel;
  /** Rewrites run one at a time (one engine); calls made meanwhile wait their turn. */
  rewrite(input: NodeRewriteInput, options: NodeRewriteOptions): Promise<NodeRewrite>;
  dispose(): Promise<void>;
}

/** Loads the model (its files from models/, then the hub unless offline). */
export async function createNodeRewriter(options: NodeRewriterOptions): Promise<NodeRewriter> {
  const maxNewTokens = options.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
  const source: ModelSource = { localPath: MODELS_DIR, hubUrl: options.hubUrl };
  const engine = new VlmEngine({ probeCapabilities: async () => ({ runtime: 'node' }) });
  const loaded = await engine.load({ model: options.model, source, preference: 'auto' }, () => undefined);
  const imageText = createNodeImageText();
  const turns = new PQueue({ concurrency: 1 });

  async function rewriteNow(input: NodeRewriteInput, rewriteOptions: NodeRewriteOptions): Promise<NodeRewrite> {
    const image = typeof input.image === 'string' ? await readCheckedImage(input.image) : input.image;
    if (typeof image === 'string') throw new Error(image);
    const read = input.imageText ?? (rewriteOptions.readImageText ? await imageText.read(image) : { kind: 'off' as const });
    const quoted = quotedImageText(read);
    const reasoning = rewriteOptions.reasoning ?? DEFAULT_REASONING_MODE;
    const outputFormat = rewriteOptions.constrained
      ? buildOutputFormatPlan({ maxNewTokens, refinedPromptMaxChars: maxRefinedPromptLength(input.prompt), reasoning })
      : null;
    const generation = await engine.generate(
      { image, messages: buildRewriteMessages(input.prompt, quoted, reasoning), maxNewTokens, outputFormat },
      rewriteOptions.onStream ?? (() => undefined),
    );
    const output = {
      raw: generation.text,
      stopReason: generation.stopReason,
      levelProbabilities: generation.constraint?.levelProbabilities ?? null,
      ms: generation.totalMs,
      newTokens: generation.tokenCount,
    };
    const decided = decideRewriterOutput(output, input.prompt, rewriteOptions.strictness, { ocr: read.kind !== 'off', quoted });
    return { ...decided, generation, imageText: read };
  }

  return {
    model: options.model,
    loaded,
    rewrite: async (input, rewriteOptions) => (await turns.add(() => rewriteNow(input, rewriteOptions), { throwOnTimeout: true })),
    async dispose() {
      await turns.onIdle();
      await Promise.all([engine.dispose(), imageText.dispose()]);
    },
  };
}
