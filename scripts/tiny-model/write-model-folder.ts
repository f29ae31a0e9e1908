import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEmbedTokens } from './embed-tokens.ts';
import type { FillerStyle } from './filler-tokens.ts';
import type { WeightPrecision } from './graph-layers.ts';
import {
  generationConfigJson,
  modelConfigJson,
  preprocessorConfigJson,
  processorConfigJson,
} from './hub-config-files.ts';
import { buildLlamaDecoder } from './llama-decoder.ts';
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
import { buildVocabulary, specialTokensMapJson, tokenizerConfigJson, tokenizerJson } from './tokenizer-files.ts';
import { buildVisionEncoder } from './vision-encoder.ts';

export const DEFAULT_SEED = 42;
export const STAMP_FILE = '.generator-stamp';

export interface WriteTinyModelOptions {
  outDir: string;
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
type GenerationParameters = Pick<WriteTinyModelOptions, 'script' | 'alternatives' | 'fillers'>;

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

/** File-name suffix per dtype, as transformers.js maps them (fp32 → "", q4 → "_q4"). */
const precisionSuffixes: Record<WeightPrecision, string> = { fp32: '', q4: '_q4' };

type FileContent = { json: Record<string, unknown> } | { onnx: () => OnnxGraphBuilder };

function plannedFiles(
  dims: ModelDims,
  seed: number,
  plan: ScriptPlan | undefined,
  fillers: FillerStyle | undefined,
): Map<string, FileContent> {
  const vocabulary = buildVocabulary(dims.vocabSize, plan && scriptVocabulary(plan), fillers);
  const files = new Map<string, FileContent>([
    ['config.json', { json: modelConfigJson(dims, vocabulary) }],
    ['generation_config.json', { json: generationConfigJson(vocabulary) }],
    ['preprocessor_config.json', { json: preprocessorConfigJson(dims) }],
    ['processor_config.json', { json: processorConfigJson(dims) }],
    ['tokenizer.json', { json: tokenizerJson(vocabulary) }],
    ['tokenizer_config.json', { json: tokenizerConfigJson(vocabulary, dims.maxPositionEmbeddings) }],
    ['special_tokens_map.json', { json: specialTokensMapJson() }],
  ]);
  for (const [precision, suffix] of Object.entries(precisionSuffixes) as [WeightPrecision, string][]) {
    // Like real q4 exports, only matmuls are quantized, so the embedding table stays fp32.
    // The scripted decoder has no weights worth quantizing (its logits are not a matmul), so its q4 file holds the
    // same fp32 graph; the vision encoder is the random model's in both variants.
    const embedTokens = plan ? () => buildScriptedEmbedTokens(dims, seed, vocabulary, plan) : () => buildEmbedTokens(dims, seed);
    const decoder = plan
      ? () => buildScriptedDecoder(dims, seed, vocabulary, plan)
      : () => buildLlamaDecoder(dims, seed, precision);
    files.set(`onnx/embed_tokens${suffix}.onnx`, { onnx: embedTokens });
    files.set(`onnx/vision_encoder${suffix}.onnx`, { onnx: () => buildVisionEncoder(dims, seed, precision) });
    files.set(`onnx/decoder_model_merged${suffix}.onnx`, { onnx: decoder });
  }
  return files;
}

/** Hash of the generator's own sources and the parameters: any change to either means a new generation. */
async function fingerprintOf(dims: ModelDims, seed: number, parameters: GenerationParameters): Promise<string> {
  const hash = createHash('sha256');
  const sourceDir = dirname(fileURLToPath(import.meta.url));
  for (const file of (await readdir(sourceDir)).filter((name) => name.endsWith('.ts')).sort()) {
    hash.update(file).update(await readFile(join(sourceDir, file)));
  }
  // JSON.stringify drops options left undefined, so models that don't use them keep their fingerprint format.
  const { script, alternatives, fillers } = parameters;
  hash.update(JSON.stringify({ seed, dims, script, alternatives, fillers }));
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

/**
 * Writes a random-weight (or, with `script`, a scripted) SmolVLM (Idefics3) model folder in Hugging Face layout,
 * loadable by transformers.js with dtype fp32 or q4. The same options always give byte-identical files.
 */
export async function writeTinyModel(options: WriteTinyModelOptions): Promise<WrittenModel> {
  const { outDir, seed = DEFAULT_SEED, force = false, script, alternatives, fillers } = options;
  if (script === undefined && alternatives !== undefined) throw new Error('alternatives need a script to stand beside');
  const plan = script === undefined ? undefined : planScript(script, alternatives);
  const dims = resolveModelDims(plan ? { vocabSize: scriptedVocabSize(plan), ...options.dims } : options.dims);
  if (plan && dims.vocabSize < scriptedVocabSize(plan)) {
    const needed = scriptedVocabSize(plan);
    throw new RangeError(`vocabSize ${dims.vocabSize} leaves no room for the script and its alternatives: they need ${needed}`);
  }
  const fingerprint = await fingerprintOf(dims, seed, { script, alternatives, fillers });

  const previous = await readStamp(outDir);
  if (!force && previous?.fingerprint === fingerprint && (await matchesStamp(outDir, previous))) {
    const files = Object.keys(previous.files);
    return { files, bytes: Object.values(previous.files).reduce((sum, size) => sum + size, 0), reused: true };
  }

  // Without a stamp, a half-written folder is never mistaken for a finished one.
  await rm(join(outDir, STAMP_FILE), { force: true });
  await mkdir(join(outDir, 'onnx'), { recursive: true });
  const written: Record<string, number> = {};
  for (const [file, content] of plannedFiles(dims, seed, plan, fillers)) {
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
