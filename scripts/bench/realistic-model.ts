import { link, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { tinyModelDims, type ModelDims } from '../tiny-model/model-config.ts';
import { STAMP_FILE, writeTinyModel, type WrittenModel } from '../tiny-model/write-model-folder.ts';
import { wordFillerCandidates } from '../tiny-model/filler-tokens.ts';
import { byteLevelSpellingOfBytes, trainByteLevelMerges } from './byte-level-bpe.ts';
import { tokenizerCorpus } from './tokenizer-corpus.ts';
import { defined } from './defined.ts';

/**
 * The published sizes of HuggingFaceTB/SmolVLM-256M-Instruct (config.json, preprocessor_config.json and
 * processor_config.json on the Hub): a SmolLM2-135M-style decoder and a SigLIP-B/16 encoder at 512 px whose
 * 1024 patches the pixel-shuffle connector (factor 4) turns into 64 image tokens.
 */
export const SMOLVLM_256M_DIMS: Readonly<ModelDims> = Object.freeze({
  ...tinyModelDims,
  vocabSize: 49280,
  hiddenSize: 576,
  numHiddenLayers: 30,
  numAttentionHeads: 9,
  numKeyValueHeads: 3,
  headDim: 64,
  intermediateSize: 1536,
  rmsNormEps: 1e-5,
  ropeTheta: 100000,
  maxPositionEmbeddings: 8192,
  tileSize: 512,
  resizeLongestEdge: 2048,
  patchSize: 16,
  visionHiddenSize: 768,
  visionNumLayers: 12,
  visionNumHeads: 12,
  visionIntermediateSize: 3072,
  visionLayerNormEps: 1e-6,
  scaleFactor: 4,
  q4BlockSize: 32,
});

/**
 * The same layer structure and widths with 2 decoder layers, 1 vision layer and a 4k vocabulary: small enough to
 * generate and run in a CI test, shaped like the real thing everywhere a kernel sees it.
 */
export const REALISTIC_SHAPE_CI_DIMS: Readonly<ModelDims> = Object.freeze({
  ...SMOLVLM_256M_DIMS,
  vocabSize: 4096,
  numHiddenLayers: 2,
  visionNumLayers: 1,
});

/** Where the generator's own output goes; the model folder next to it shares its ONNX files by hard link. */
const GENERATED_SUBDIR = '.generated';
/** This step's own code: a change to it rewrites the tokenizer. */
const OWN_SOURCES = ['./realistic-model.ts', './byte-level-bpe.ts', './tokenizer-corpus.ts'];
const BENCH_STAMP_FILE = '.bench-stamp';

export interface RealisticModelOptions {
  /** The model folder: Hub layout, loadable by id through transformers.js. */
  outDir: string;
  dims?: ModelDims;
  seed?: number;
  force?: boolean;
}

export interface RealisticModel extends WrittenModel, RealisticVocabulary {
  /** Only the tokenizer was rewritten: the generator's ONNX files were up to date. */
  tokenizerOnly: boolean;
}

/**
 * Writes a random-weight model with real SmolVLM sizes. The generator's byte-level tokenizer has no merges, so every
 * character would be one token and the rewrite prompt four times longer than with the real tokenizer; the folder
 * gets a tokenizer.json with BPE merges trained on English text instead (see tokenizer-corpus.ts), and a full-size
 * vocabulary of real-looking entries (see withRealisticVocabulary). The generator writes into
 * `<outDir>/../.generated/<name>` (it skips the work when its stamp is current); the ONNX and config files are
 * hard-linked from there, so the 1.3 GB exist once, and a change to this step alone rewrites only tokenizer.json.
 */
export async function writeRealisticModel(options: RealisticModelOptions): Promise<RealisticModel> {
  const { outDir, dims = SMOLVLM_256M_DIMS, seed, force = false } = options;
  const generatedDir = join(dirname(outDir), GENERATED_SUBDIR, basename(outDir));
  const generated = await writeTinyModel({ outDir: generatedDir, dims, seed, force });
  const generatorStamp = await readFile(join(generatedDir, STAMP_FILE), 'utf8');
  const corpus = tokenizerCorpus();
  const ownSources = await Promise.all(OWN_SOURCES.map((file) => readFile(new URL(file, import.meta.url), 'utf8')));
  const fingerprint = JSON.stringify({ generatorStamp, corpus: hashText(corpus), sources: hashText(ownSources.join('\n')) });

  const previous = await readFile(join(outDir, BENCH_STAMP_FILE), 'utf8').catch(() => null);
  const tokenizerPath = join(outDir, 'tokenizer.json');
  if (!force && generated.reused && previous !== null) {
    const stamp = JSON.parse(previous) as { fingerprint: string; merges: number; wordFillers?: number; bytes: number; files: string[] };
    if (stamp.fingerprint === fingerprint && (await stat(tokenizerPath).catch(() => null))) {
      return { files: stamp.files, bytes: stamp.bytes, reused: true, merges: stamp.merges, wordFillers: stamp.wordFillers ?? 0, tokenizerOnly: false };
    }
  }

  await rm(join(outDir, BENCH_STAMP_FILE), { force: true });
  await mkdir(join(outDir, 'onnx'), { recursive: true });
  for (const file of generated.files) {
    if (file === 'tokenizer.json') continue;
    await rm(join(outDir, file), { force: true });
    await link(join(generatedDir, file), join(outDir, file));
  }
  const tokenizer = JSON.parse(await readFile(join(generatedDir, 'tokenizer.json'), 'utf8')) as ByteLevelTokenizerJson;
  const { merges, wordFillers } = withRealisticVocabulary(tokenizer, corpus);
  const tokenizerText = `${JSON.stringify(tokenizer)}\n`;
  await writeFile(tokenizerPath, tokenizerText);
  const bytes = generated.bytes - (await stat(join(generatedDir, 'tokenizer.json'))).size + Buffer.byteLength(tokenizerText);
  const files = generated.files;
  await writeFile(join(outDir, BENCH_STAMP_FILE), `${JSON.stringify({ fingerprint, merges, wordFillers, bytes, files })}\n`);
  await removeStaleFiles(outDir, new Set([...files, BENCH_STAMP_FILE]));
  return { files, bytes, reused: false, merges, wordFillers, tokenizerOnly: generated.reused };
}

export interface ByteLevelTokenizerJson {
  added_tokens: Array<{ id: number; content: string }>;
  model: { vocab: Record<string, number>; merges: string[] };
}

export interface RealisticVocabulary {
  /** BPE merges trained on the corpus; each new token took one of the generator's filler ids. */
  merges: number;
  /** Ids that got a 'words' filler entry: real-looking byte-level pieces that encoding never produces. */
  wordFillers: number;
}

/**
 * Gives the generator's byte-level tokenizer a vocabulary shaped like a real one, in place, keeping every id below
 * the vocab size (so the embedding and lm_head shapes stay the published ones):
 * 1. BPE merges trained on the corpus, each merged token on one of the `<unused_N>` filler ids (the vocabulary's
 *    tail), lowest first: the prompt tokenizes as a 49k-entry tokenizer would tokenize it;
 * 2. every filler id still left gets a 'words' entry (scripts/tiny-model/filler-tokens.ts: word pieces with and
 *    without a leading space, punctuation, newline-bearing pieces, brackets, control characters, UTF-8 fragments).
 *    No merge produces them, so encoding is unchanged, but the constrained-generation token table and its per-step
 *    mask see as many real-looking texts as SmolVLM's vocabulary has, not holes that decode to `<unused_N>`.
 */
export function withRealisticVocabulary(tokenizer: ByteLevelTokenizerJson, corpus: string): RealisticVocabulary {
  const vocab = tokenizer.model.vocab;
  const fillerIds = Object.entries(vocab)
    .filter(([token, id]) => token === `<unused_${id}>`)
    .map(([, id]) => id)
    .sort((a, b) => a - b);
  const merges = trainByteLevelMerges(corpus, fillerIds.length);
  // A merge can produce a token an earlier one already made ("ab"+"c", "a"+"bc"): it gets no second id.
  const tokens = new Map(Object.entries(vocab));
  const take = (id: number, token: string) => {
    tokens.delete(`<unused_${id}>`);
    tokens.set(token, id);
  };
  let nextFiller = 0;
  for (const { left, right } of merges) {
    if (tokens.has(left + right)) continue;
    take(defined(fillerIds[nextFiller++], 'a free vocabulary id'), left + right);
  }
  const candidates = wordFillerCandidates();
  let wordFillers = 0;
  for (; nextFiller < fillerIds.length; nextFiller++) {
    let entry = '';
    // Word pieces alone have millions of spellings: a miss streak this long means the generator is broken.
    for (let draw = 0; draw < 10_000 && (entry === '' || tokens.has(entry)); draw++) {
      entry = byteLevelSpellingOfBytes(candidates.next().value as Uint8Array);
    }
    if (entry === '' || tokens.has(entry)) throw new Error(`no new 'words' filler after 10000 draws (${tokens.size} entries)`);
    take(defined(fillerIds[nextFiller], 'a filler id'), entry);
    wordFillers++;
  }
  tokenizer.model.vocab = Object.fromEntries(tokens);
  tokenizer.model.merges = merges.map((merge) => `${merge.left} ${merge.right}`);
  return { merges: merges.length, wordFillers };
}

async function removeStaleFiles(outDir: string, keep: Set<string>): Promise<void> {
  for (const entry of await readdir(outDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const relative = join(entry.parentPath, entry.name).slice(outDir.length + 1).split('\\').join('/');
    if (!keep.has(relative)) await rm(join(entry.parentPath, entry.name));
  }
}

function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** What the benchmark's random model does not share with HuggingFaceTB/SmolVLM-256M-Instruct's ONNX export. */
export const DIFFERENCES_FROM_REAL_EXPORT = [
  'Random weights: the output is noise, so every run forces its length (end token suppressed) and no quality is measured.',
  'Tokenizer: byte-level BPE with merges trained on the rewrite prompt and common English words (tokenizer-corpus.ts), not SmolVLM\'s 49k-merge vocabulary; the rewrite prompt comes to a realistic ~450 text tokens, but rare words would split differently. The rest of the 49,280 ids hold pseudo-random byte-level entries (word pieces, punctuation, newlines, brackets, control characters, UTF-8 fragments) that encoding never produces, so the constrained-generation mask works on a real-size vocabulary of real-looking texts.',
  'Graph: standard opset-17 ops only (decomposed RMSNorm, RoPE, softmax attention with grouped KV via broadcasting MatMul); an optimum export may fuse some of these or use com.microsoft contrib ops, and onnxruntime fuses some at load either way.',
  'No num_logits_to_keep input: the prefill computes logits for every prompt position (≈ 500 × 49280), as transformers.js\' own exports of this model also do when they lack that input.',
  'q4: MatMulNBits, 4-bit asymmetric with zero points, block 32, accuracy_level unset (fp32 compute); the lm_head is quantized too, the embedding table and the patch-embedding Conv stay fp32. Real q4 exports may differ in block size, symmetry and accuracy level.',
  'Untied lm_head (a separate 576 × 49280 weight) where SmolLM2 ties it to the embedding; same bytes read per token.',
  'Vision position embeddings are one fixed table (no Idefics3 patch-position bucketing); the cost is the same.',
  'No fp16/q4f16 files: the WebGPU-with-shader-f16 recipe cannot be exercised with this model.',
];
