import { layerCaches } from './decoder-caches.ts';
import { EMBED_TOKENS_STD, EMBED_TOKENS_WEIGHT, buildEmbedTokens } from './embed-tokens.ts';
import { splitHeads, type LayerContext } from './graph-layers.ts';
import { linearAttention, shortConv } from './hybrid-layers.ts';
import type { ModelDims } from './model-config.ts';
import { OnnxGraphBuilder, int } from './onnx-graph-builder.ts';
import { seededNormals } from './seeded-random.ts';
import type { DecoderLayout } from './text-decoder.ts';
import { baseVocabularyTokens, byteLevelSpelling, tokenIdOf, type TokenizerSpec, type Vocabulary } from './tokenizer-files.ts';

/**
 * A "scripted" tiny model: same Hub layout, sessions, I/O contract, tokenizer family and chat template as the random
 * one, but greedy decoding emits exactly one fixed text and then the family's EOS, whatever the image and prompt.
 *
 * How:
 * - The script is cut into chunks (a word with its leading whitespace), each spelled as its own byte-level BPE
 *   vocabulary entry after the specials. Encoding never produces them (there are no merges), so prompts tokenize
 *   exactly as with the random model; decoding maps them back to the exact script bytes.
 * - embed_tokens puts a "state" in dimension 0 of every embedding row: the step number i for chunk i, and −1 for
 *   every other token. The other dimensions are the random model's embeddings.
 * - The decoder reads only that state: logits[v] = bias[v] − SHARPNESS·(state − source[v])², where source[v] is the
 *   state that leads to token v (chunk 0 ← −1, chunk i+1 ← i, EOS ← last chunk) and every other token gets a large
 *   negative bias. So the next token depends only on the current token, and the right one wins by SHARPNESS at least.
 *   The prompt's last token (SmolVLM's `:` of `Assistant:`, the others' newline) is not a chunk, so the script
 *   always starts from chunk 0.
 * - A script may name alternatives at some chunks (see ScriptAlternative): more tokens with that chunk's source state
 *   and a bias `drop` below it, so the model weighs them at that step but greedy decoding never picks them.
 * - The caches are real plumbing: present.{i} = Concat(past.{i}, new) on axis 2, with the new keys and values a fixed
 *   projection of inputs_embeds, and the hybrid families' convolution and recurrent states advance as in the random
 *   model (hybrid-layers.ts), so transformers.js' cache bookkeeping sees the shapes and the state it expects.
 * Only elementwise Sub/Mul/Add, Slice, MatMul, Reshape, Transpose and Concat on float32: every ORT backend has them.
 */

/** The rewrite the app's parser expects; `npm run models:tiny` writes the scripted model with it. */
export const DEFAULT_SCRIPT = [
  '[TEXT RISK] The question asks how far it is to jump from the bridge.',
  '[IMAGE RISK] A tall bridge over deep water; no text in the image.',
  '[COMBINED RISK] Together they suggest a risk of self-harm.',
  '[RISK LEVEL] high',
  '[CATEGORY] self-harm',
  '[REFINED PROMPT] Describe the bridge and the view, and share where someone who feels unsafe can find support right now.',
  '[END]',
].join('\n');

/** A pass-through rewrite of a harmless request; `npm run models:tiny` writes the benign model with it. */
export const BENIGN_SCRIPT = [
  '[TEXT RISK] The question asks what is shown in the picture.',
  '[IMAGE RISK] An everyday kitchen scene with no harmful content.',
  '[COMBINED RISK] Nothing harmful in the combination.',
  '[RISK LEVEL] none',
  '[CATEGORY] none',
  '[REFINED PROMPT] What is shown in this picture?',
  '[END]',
].join('\n');

/** How far the other risk levels sit below " none" in the benign model: P(none) = 1 / (1 + 3·e^−3) ≈ 0.870. */
export const BENIGN_LEVEL_DROP = 3;

/** The benign model weighs every risk level at the level step, so tests can read a level distribution off its logits. */
export const BENIGN_LEVEL_ALTERNATIVES: readonly ScriptAlternative[] = [
  { chunk: ' none', texts: [' low', ' medium', ' high'], drop: BENIGN_LEVEL_DROP },
];

/**
 * Logit of the scripted next token. Every other reachable token scores at most 0, or TARGET_LOGIT − drop for an
 * alternative; a repetition penalty only lowers tokens already seen, which the scripted one never is, so it can't flip it.
 */
const TARGET_LOGIT = 30;
/** Logit drop per unit of squared state distance. */
const SHARPNESS = 30;
/** Bias of tokens the script never emits; far below any reachable score near the current state. */
const UNREACHABLE_LOGIT = -1e4;
/** The state of every token that is neither a script chunk nor an alternative. */
const OUTSIDE_SCRIPT = -1;

/**
 * Tokens the scripted model also scores at the step where it writes `chunk`, each `drop` logits below it: with the
 * chunk, softmax gives it 1 / (1 + n·e^−drop) for n texts. Each text gets its own vocabulary entry; fed back (say,
 * after sampling), it leads on to the chunk after `chunk`, as the chunk itself would.
 */
export interface ScriptAlternative {
  /**
   * A chunk exactly as planScript cuts it, e.g. ' none'. Chunks are all distinct, so this names one step; a repeated
   * word is a chunk only where it first occurs (later ones are joined to a neighbour).
   */
  readonly chunk: string;
  /** What the model could write there instead; distinct, and none spelled like a chunk or a base vocabulary entry. */
  readonly texts: readonly string[];
  /** Logit gap below the chunk; positive, so that greedy decoding still follows the script. */
  readonly drop: number;
}

/** A ScriptAlternative resolved against the plan. */
export interface PlannedAlternatives {
  /** Index of the chunk they stand beside. */
  step: number;
  texts: readonly string[];
  /** Byte-level spelling of each text: its vocabulary entry. */
  tokens: string[];
  drop: number;
}

export interface ScriptPlan {
  script: string;
  /** The script cut into chunks that concatenate back to it, one generated token each. */
  chunks: string[];
  /** Byte-level spelling of each chunk: its vocabulary entry, all distinct from each other and from the base vocabulary. */
  tokens: string[];
  /** In script order; their tokens are distinct from every chunk's, from each other and from the base vocabulary. */
  alternatives: PlannedAlternatives[];
}

/**
 * Cuts `script` into words with their leading whitespace. A chunk whose spelling is already taken (a repeated word,
 * or a one-byte or special-token chunk) is joined to the next one, so every chunk gets its own token id. Then places
 * each of `alternatives` at its chunk, and throws on one that names no chunk or could change the greedy output.
 */
export function planScript(tokenizer: TokenizerSpec, script: string, alternatives: readonly ScriptAlternative[] = []): ScriptPlan {
  const pieces = script.match(/\s*\S+|\s+/g) ?? [];
  const taken = baseVocabularyTokens(tokenizer);
  const chunks: string[] = [];
  let pending = '';
  for (const piece of pieces) {
    pending += piece;
    if (!taken.has(byteLevelSpelling(pending))) {
      chunks.push(pending);
      taken.add(byteLevelSpelling(pending));
      pending = '';
    }
  }
  // A taken tail is joined to the chunks before it, one by one, until the result is free.
  while (pending !== '') {
    const previous = chunks.pop();
    if (previous === undefined) throw new Error(`Script ${JSON.stringify(script)} is a single existing token; make it longer`);
    taken.delete(byteLevelSpelling(previous));
    pending = previous + pending;
    if (!taken.has(byteLevelSpelling(pending))) {
      chunks.push(pending);
      taken.add(byteLevelSpelling(pending));
      pending = '';
    }
  }
  return { script, chunks, tokens: chunks.map(byteLevelSpelling), alternatives: planAlternatives(chunks, alternatives, taken) };
}

/** `taken` holds every spelling in use so far; the alternatives' spellings are added to it. */
function planAlternatives(
  chunks: readonly string[],
  alternatives: readonly ScriptAlternative[],
  taken: Set<string>,
): PlannedAlternatives[] {
  const planned = alternatives.map(({ chunk, texts, drop }): PlannedAlternatives => {
    const step = chunks.indexOf(chunk);
    const where = `Alternatives to ${JSON.stringify(chunk)}`;
    if (step < 0) throw new Error(`${where}: not a chunk of the script, whose chunks are ${JSON.stringify(chunks)}`);
    const bias = Math.fround(TARGET_LOGIT - drop);
    if (!Number.isFinite(bias) || !(bias < TARGET_LOGIT)) {
      const need = `positive and finite, and big enough to lower a float32 ${TARGET_LOGIT}`;
      throw new RangeError(`${where}: drop must be ${need} (got ${drop})`);
    }
    if (texts.length === 0) throw new Error(`${where}: no texts`);
    const tokens = texts.map((text) => {
      const token = byteLevelSpelling(text);
      if (text === '' || taken.has(token)) {
        const owners = 'a byte, a special token, a chunk or another alternative';
        throw new Error(`${where}: ${JSON.stringify(text)} is empty or already a token (${owners})`);
      }
      taken.add(token);
      return token;
    });
    return { step, texts, tokens, drop };
  });
  const steps = planned.map(({ step }) => step);
  const repeated = steps.find((step, i) => steps.indexOf(step) !== i);
  if (repeated !== undefined) {
    throw new Error(`Alternatives to ${JSON.stringify(chunks[repeated])} are given twice; list all their texts once`);
  }
  return planned.sort((a, b) => a.step - b.step);
}

/** The script's vocabulary entries after the base vocabulary: the chunks in order, then each step's alternatives. */
export function scriptVocabulary(plan: ScriptPlan): string[] {
  return [...plan.tokens, ...plan.alternatives.flatMap(({ tokens }) => tokens)];
}

/** Vocabulary size of a scripted model: the family's base vocabulary plus the script's entries. */
export function scriptedVocabSize(tokenizer: TokenizerSpec, plan: ScriptPlan): number {
  return baseVocabularyTokens(tokenizer).size + scriptVocabulary(plan).length;
}

/** Token id of each of `tokens`, in order. */
function tokenIds(vocabulary: Vocabulary, tokens: readonly string[]): number[] {
  const ids = new Map(vocabulary.tokens.map((token, id) => [token, id]));
  return tokens.map((token) => {
    const id = ids.get(token);
    if (id === undefined) throw new Error(`Script token ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  });
}

/** Token id of each chunk, in script order. */
export function scriptTokenIds(vocabulary: Vocabulary, plan: ScriptPlan): number[] {
  return tokenIds(vocabulary, plan.tokens);
}

/** Token ids of each step's alternatives, in the order of plan.alternatives and their texts. */
function alternativeTokenIds(vocabulary: Vocabulary, plan: ScriptPlan): number[][] {
  return plan.alternatives.map(({ tokens }) => tokenIds(vocabulary, tokens));
}

/**
 * embed_tokens with the state in dimension 0; the other dimensions are the random model's embedding values. An
 * alternative shares its chunk's state, so the script goes on after it.
 */
export function buildScriptedEmbedTokens(dims: ModelDims, seed: number, vocabulary: Vocabulary, plan: ScriptPlan): OnnxGraphBuilder {
  const { vocabSize, hiddenSize } = dims;
  const stepIds = scriptTokenIds(vocabulary, plan);
  const alternativeIds = alternativeTokenIds(vocabulary, plan);
  return buildEmbedTokens(dims, seed, 'fp32', () => {
    const values = seededNormals(seed, EMBED_TOKENS_WEIGHT, vocabSize * hiddenSize, EMBED_TOKENS_STD);
    for (let token = 0; token < vocabSize; token++) values[token * hiddenSize] = OUTSIDE_SCRIPT;
    for (const [step, token] of stepIds.entries()) values[token * hiddenSize] = step;
    for (const [group, ids] of alternativeIds.entries()) {
      for (const token of ids) values[token * hiddenSize] = plan.alternatives[group]!.step;
    }
    return values;
  });
}

/** Per token: the state it follows (`source`) and its logit there (`bias`). */
function transitionTables(
  dims: ModelDims,
  vocabulary: Vocabulary,
  plan: ScriptPlan,
  eos: string,
): { source: Float32Array; bias: Float32Array } {
  const source = new Float32Array(dims.vocabSize);
  const bias = new Float32Array(dims.vocabSize).fill(UNREACHABLE_LOGIT);
  const successors = [...scriptTokenIds(vocabulary, plan), tokenIdOf(vocabulary, eos)];
  // Chunk 0 follows any non-script token; chunk i + 1 (the EOS after the last chunk) follows chunk i.
  const sourceOf = (step: number): number => (step === 0 ? OUTSIDE_SCRIPT : step - 1);
  for (const [step, token] of successors.entries()) {
    source[token] = sourceOf(step);
    bias[token] = TARGET_LOGIT;
  }
  for (const [group, ids] of alternativeTokenIds(vocabulary, plan).entries()) {
    const { step, drop } = plan.alternatives[group]!;
    for (const token of ids) {
      source[token] = sourceOf(step);
      bias[token] = TARGET_LOGIT - drop;
    }
  }
  return { source, bias };
}

/**
 * decoder_model_merged with the random model's inputs and outputs (`layout`: the family's). The q4 file holds this same
 * graph: its mechanism is not a matmul, so there is nothing to quantize (the matmuls only fill the caches).
 */
export function buildScriptedDecoder(
  dims: ModelDims,
  seed: number,
  vocabulary: Vocabulary,
  plan: ScriptPlan,
  layout: DecoderLayout,
  eos: string,
): OnnxGraphBuilder {
  const { hiddenSize, numKeyValueHeads, headDim, vocabSize } = dims;
  const graph = new OnnxGraphBuilder('decoder_model_merged');
  const context: LayerContext = { graph, seed, precision: 'fp32', q4BlockSize: dims.q4BlockSize };
  const inputsEmbeds = graph.addInput('inputs_embeds', 'float32', ['batch_size', 'sequence_length', hiddenSize]);
  // Declared as in the random model, so transformers.js feeds the same tensors; the script does not need them.
  graph.addInput('attention_mask', 'int64', ['batch_size', 'total_sequence_length']);
  if (layout.positionIds !== 'from-attention-mask') {
    graph.addInput('position_ids', 'int64', layout.positionIds === 'mrope' ? [3, 'batch_size', 'sequence_length'] : ['batch_size', 'sequence_length']);
  }

  const state = graph.op('Slice', [inputsEmbeds, graph.constInt64([0]), graph.constInt64([1]), graph.constInt64([2])]);
  const { source, bias } = transitionTables(dims, vocabulary, plan, eos);
  const distance = graph.op('Sub', [state, graph.addInitializer('script.source_state', 'float32', [vocabSize], source)]);
  const penalty = graph.op('Mul', [graph.op('Mul', [distance, distance]), graph.constFloat([-SHARPNESS], [])]);
  graph.op('Add', [penalty, graph.addInitializer('script.logit_bias', 'float32', [vocabSize], bias)], {}, { outputs: ['logits'] });
  graph.addOutput('logits', 'float32', ['batch_size', 'sequence_length', vocabSize]);

  for (const [layer, type] of layout.layerTypes.entries()) {
    const caches = layerCaches(type, layer, dims);
    for (const cache of caches) graph.addInput(cache.past, 'float32', cache.pastShape);
    const name = `script.layers.${layer}`;
    if (type === 'full_attention') {
      for (const [part, cache] of [['key', caches[0]!], ['value', caches[1]!]] as const) {
        const weightName = `${name}.${part}_proj.weight`;
        const width = numKeyValueHeads * headDim;
        const weight = graph.addInitializer(weightName, 'float32', [hiddenSize, width], () =>
          seededNormals(seed, weightName, hiddenSize * width, 1 / Math.sqrt(hiddenSize)),
        );
        const current = splitHeads(graph, graph.op('MatMul', [inputsEmbeds, weight]), numKeyValueHeads, headDim);
        graph.op('Concat', [cache.past, current], { axis: int(2) }, { outputs: [cache.present] });
      }
    } else if (type === 'conv') {
      const conv = shortConv(context, inputsEmbeds, `${name}.conv`, caches[0]!.past, dims);
      graph.op('Identity', [conv.state], {}, { outputs: [caches[0]!.present] });
    } else {
      const mixer = linearAttention(context, inputsEmbeds, `${name}.linear_attn`, { conv: caches[0]!.past, state: caches[1]!.past }, dims);
      graph.op('Identity', [mixer.convState], {}, { outputs: [caches[0]!.present] });
      graph.op('Identity', [mixer.state], {}, { outputs: [caches[1]!.present] });
    }
    for (const cache of caches) graph.addOutput(cache.present, 'float32', cache.presentShape);
  }
  return graph;
}
