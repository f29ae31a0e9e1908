import { LogitsProcessor, LogitsProcessorList, type PreTrainedTokenizer, type Tensor } from '@huggingface/transformers';
import type { OutputFormatPlan } from '../core/output-format-plan.ts';
import { ConstrainedDecoder, TokenTable } from '../core/token-constraint.ts';

/*
 * The transformers.js side of constrained generation (checked against @huggingface/transformers 4.3.2): a
 * LogitsProcessor, called synchronously before every token with all ids so far (prompt included) and the [1, vocab]
 * float32 logits it must return, and the vocabulary read from the tokenizer. The format logic is in src/core.
 */

/**
 * Every id's text as the tokenizer decodes it alone, special tokens as null. Byte-level vocabularies (SmolLM2, Qwen,
 * LFM2) decode a lone id to exactly the text it adds to a sequence, including a leading space.
 */
export function readTokenTable(tokenizer: PreTrainedTokenizer, endIds: readonly number[]): TokenTable {
  const vocabulary = tokenizer.get_vocab();
  let size = 0;
  for (const id of vocabulary.values()) size = Math.max(size, id + 1);
  const special = new Set(tokenizer.all_special_ids);
  const texts: Array<string | null> = new Array<string | null>(size).fill(null);
  for (const id of vocabulary.values()) {
    if (special.has(id)) continue;
    texts[id] = tokenizer.decode([id], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }
  return new TokenTable(texts, endIds);
}

/** The ids that end a generation: the generation config's, else the tokenizer's end-of-sequence token. */
export function endTokenIds(generationConfig: { eos_token_id?: number | number[] | null } | null, tokenizer: PreTrainedTokenizer): number[] {
  const configured = generationConfig?.eos_token_id;
  if (Array.isArray(configured) && configured.length > 0) return configured;
  if (typeof configured === 'number') return [configured];
  const eos = (tokenizer as { eos_token_id?: number | null }).eos_token_id;
  return typeof eos === 'number' ? [eos] : [];
}

class FormatLogitsProcessor extends LogitsProcessor {
  readonly #decoder: ConstrainedDecoder;
  /** How many ids of `input_ids` the decoder has seen; the prompt's on the first call. */
  #seen: number | null = null;

  constructor(decoder: ConstrainedDecoder) {
    super();
    this.#decoder = decoder;
  }

  override _call(inputIds: bigint[][], logits: Tensor): Tensor {
    const ids = inputIds[0] ?? [];
    this.#seen ??= ids.length;
    for (; this.#seen < ids.length; this.#seen += 1) this.#decoder.accept(Number(ids[this.#seen]));
    this.#decoder.maskLogits(logits.data as Float32Array);
    return logits;
  }
}

/** Hands each step's logits, before any mask of ours, to a callback (tests check the level probabilities with it). */
class LogitsInspector extends LogitsProcessor {
  readonly #inspect: (logits: Float32Array) => void;

  constructor(inspect: (logits: Float32Array) => void) {
    super();
    this.#inspect = inspect;
  }

  override _call(_inputIds: bigint[][], logits: Tensor): Tensor {
    this.#inspect(Float32Array.from(logits.data as Float32Array));
    return logits;
  }
}

/** The processors to hand to `generate`: an optional inspector, then the format's mask when there is a decoder. */
export function buildLogitsProcessors(
  decoder: ConstrainedDecoder | null,
  inspect?: (logits: Float32Array) => void,
): LogitsProcessorList {
  const processors = new LogitsProcessorList();
  if (inspect) processors.push(new LogitsInspector(inspect));
  if (decoder) processors.push(new FormatLogitsProcessor(decoder));
  return processors;
}

export function createConstrainedDecoder(plan: OutputFormatPlan, table: TokenTable): ConstrainedDecoder {
  return new ConstrainedDecoder(plan, table);
}
