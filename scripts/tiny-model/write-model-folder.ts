import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onnxFile } from '../lib/dtype-suffixes.ts';
import { buildEmbedTokens } from './embed-tokens.ts';
import { SMOLVLM } from './families/smolvlm.ts';
import type { FillerStyle } from './filler-tokens.ts';
import { GENERATED_PRECISIONS } from './graph-layers.ts';
import { resolveModelDims, type ModelDims } from './model-config.ts';
import type { OnnxGraphBuilder } from './onnx-graph-builder.ts';
import {
  buildScriptedDecoder,
  buildScriptedEmbedTokens,
  planScript,
  scriptedVocabSize,
  scriptVocabulary,
  type ScriptAlternative,
  type ScriptPlan,
} from './scripted-model.ts';
import { buildTextDecoder } from './text-decoder.ts';
import type { TinyFamily } from './tiny-family.ts';
import { baseVocabularyTokens, buildVocabulary, specialTokensMapJson, tokenizerConfigJson, tokenizerJson } from './tokenizer-files.ts';

export const DEFAULT_SEED = 42;
export const STAMP_FILE = '.generator-stamp';

export interface WriteTinyModelOptions {
  outDir: string;
  /** The layout to write (families/*.ts); SmolVLM when omitted. */
  family?: TinyFamily;
  seed?: number;
  dims?: Partial<ModelDims>;
  /** Regenerate even when the folder's stamp says it already holds this exact generation. */
  force?: boolean;
  /**
   * Build the scripted variant: greedy decoding emits exactly this text, then `<end_of_utterance>`, whatever the image
   * and prompt (see scripted-model.ts). The vocab grows by one token per chunk of the script and per alternative; a
   * `dims.vocabSize` override must leave room for them. Omitted: the random-weight model.
   */
  script?: string;
  /**
   * Only with `script`: tokens the scripted model also scores, below the script, at some of its chunks (see
   * ScriptAlternative). Each text adds a vocabulary entry; greedy output stays exactly the script.
   */
  alternatives?: readonly ScriptAlternative[];
  /** How the vocabulary is padded up to `dims.vocabSize` (see FillerStyle); 'unused' by default. */
  fillers?: FillerStyle;
}

/** What, besides the seed and dims, decides the files; part of the fingerprint. */
type GenerationParameters = Pick<WriteTinyModelOptions, 'script' | 'alternatives' | 'fillers'> & { family: string };

export interface WrittenModel {
  /** Paths relative to outDir, `/`-separated, excluding the stamp. */
  files: string[];
  /** Total size of those files. */
  bytes: number;
  /** True when an identical earlier generation was found and nothing was written. */
  reused: boolean;
}

interface Stamp {
  fingerprint: string;
  files: Record<string, number>;
}

type FileContent = { json: Record<string, unknown> } | { onnx: () => OnnxGraphBuilder };

function plannedFiles(
  family: TinyFamily,
  dims: ModelDims,
  seed: number,
  plan: ScriptPlan | undefined,
  fillers: FillerStyle | undefined,
): Map<string, FileContent> {
  const { tokenizer } = family;
  const vocabulary = buildVocabulary(tokenizer, dims.vocabSize, plan && scriptVocabulary(plan), fillers);
  const files = new Map<string, FileContent>();
  for (const [file, json] of Object.entries(family.configFiles(dims, vocabulary))) files.set(file, { json });
  files.set('tokenizer.json', { json: tokenizerJson(vocabulary, family.postProcessor(vocabulary)) });
  files.set('tokenizer_config.json', { json: tokenizerConfigJson(tokenizer, vocabulary, dims.maxPositionEmbeddings) });
  files.set('special_tokens_map.json', { json: specialTokensMapJson(tokenizer) });
  const layout = family.decoderLayout(dims);
  for (const precision of GENERATED_PRECISIONS) {
    // Like real quantized exports, only matmuls are quantized, so the embedding table stays fp32, except where the
    // family's recipes load a q4 table. The scripted model's state lives in its embeddings and its logits are not a
    // matmul, so its quantized files hold the fp32 graphs; the vision encoder is the random model's in every variant.
    const embedPrecision = family.quantizedEmbeddings && !plan && precision === 'q4' ? 'q4' : 'fp32';
    const embedTokens = plan
      ? () => buildScriptedEmbedTokens(dims, seed, vocabulary, plan)
      : () => buildEmbedTokens(dims, seed, embedPrecision);
    const decoder = plan
      ? () => buildScriptedDecoder(dims, seed, vocabulary, plan, layout, tokenizer.eos)
      : () => buildTextDecoder(dims, seed, precision, layout);
    files.set(onnxFile('embed_tokens', precision), { onnx: embedTokens });
    files.set(onnxFile('vision_encoder', precision), { onnx: () => family.buildVisionEncoder(dims, seed, precision) });
    files.set(onnxFile('decoder_model_merged', precision), { onnx: decoder });
  }
  return files;
}

/** Hash of the generator's own sources and the parameters: any change to either means a new generation. */
async function fingerprintOf(dims: ModelDims, seed: number, parameters: GenerationParameters): Promise<string> {
  const hash = createHash('sha256');
  const sourceDir = dirname(fileURLToPath(import.meta.url));
  const sources = (await readdir(sourceDir, { recursive: true })).filter((name) => name.endsWith('.ts')).sort();
  for (const file of sources) {
    hash.update(file).update(await readFile(join(sourceDir, file)));
  }
  // JSON.stringify drops options left undefined, so models that don't use them keep their fingerprint format.
  const { script, alternatives, fillers, family } = parameters;
  hash.update(JSON.stringify({ seed, dims, script, alternatives, fillers, family }));
  return hash.digest('hex');
}

async function readStamp(outDir: string): Promise<Stamp | undefined> {
  try {
    const stamp = JSON.parse(await readFile(join(outDir, STAMP_FILE), 'utf8')) as Partial<Stamp> | null;
    const valid = typeof stamp?.fingerprint === 'string' && typeof stamp.files === 'object' && stamp.files !== null;
    return valid ? (stamp as Stamp) : undefined;
  } catch {
    return undefined;
  }
}

async function matchesStamp(outDir: string, stamp: Stamp): Promise<boolean> {
  for (const [file, bytes] of Object.entries(stamp.files)) {
    const size = await stat(join(outDir, file)).then((info) => info.size, () => -1);
    if (size !== bytes) return false;
  }
  return true;
}

/** The dims writeTinyModel uses for `family` without a script: the family's overrides, its base vocabulary. */
export function tinyDimsOf(family: TinyFamily, overrides: Partial<ModelDims> = {}): ModelDims {
  return resolveModelDims({ ...family.dims, ...overrides }, baseVocabularyTokens(family.tokenizer).size);
}

/**
 * Writes a random-weight (or, with `script`, a scripted) model folder of `family`'s layout in Hugging Face layout,
 * loadable by transformers.js with dtype fp32 or q4. The same options always give byte-identical files.
 */
export async function writeTinyModel(options: WriteTinyModelOptions): Promise<WrittenModel> {
  const { outDir, family = SMOLVLM, seed = DEFAULT_SEED, force = false, script, alternatives, fillers } = options;
  if (script === undefined && alternatives !== undefined) throw new Error('alternatives need a script to stand beside');
  const plan = script === undefined ? undefined : planScript(family.tokenizer, script, alternatives);
  const needed = plan ? scriptedVocabSize(family.tokenizer, plan) : baseVocabularyTokens(family.tokenizer).size;
  const dims = resolveModelDims({ ...family.dims, ...options.dims }, needed);
  const fingerprint = await fingerprintOf(dims, seed, { script, alternatives, fillers, family: family.name });

  const previous = await readStamp(outDir);
  if (!force && previous?.fingerprint === fingerprint && (await matchesStamp(outDir, previous))) {
    const files = Object.keys(previous.files);
    return { files, bytes: Object.values(previous.files).reduce((sum, size) => sum + size, 0), reused: true };
  }

  // Without a stamp, a half-written folder is never mistaken for a finished one.
  await rm(join(outDir, STAMP_FILE), { force: true });
  await mkdir(join(outDir, 'onnx'), { recursive: true });
  const written: Record<string, number> = {};
  for (const [file, content] of plannedFiles(family, dims, seed, plan, fillers)) {
    const path = join(outDir, file);
    if ('json' in content) {
      const text = `${JSON.stringify(content.json, null, 2)}\n`;
      await writeFile(path, text);
      written[file] = Buffer.byteLength(text);
    } else {
      written[file] = await content.onnx().writeTo(path);
    }
  }
  const stamp: Stamp = { fingerprint, files: written };
  await writeFile(join(outDir, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);

  const files = Object.keys(written);
  return { files, bytes: Object.values(written).reduce((sum, size) => sum + size, 0), reused: false };
}
