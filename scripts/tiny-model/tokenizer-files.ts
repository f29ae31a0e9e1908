import { wordFillerCandidates, type FillerStyle } from './filler-tokens.ts';

type Json = Record<string, unknown>;

/**
 * What a family's tokenizer files say beyond the shared byte-level BPE: its special tokens (ids 256 on, in this
 * order), which of them play which part, its chat template and the classes transformers.js instantiates.
 */
export interface TokenizerSpec {
  specials: readonly string[];
  /** The tokenizer_config.json `bos_token`; null where the family has none. */
  bos: string | null;
  eos: string;
  pad: string;
  unk: string | null;
  /** The placeholder the processor expands into image features. */
  image: string;
  additionalSpecialTokens: readonly string[];
  chatTemplate: string;
  tokenizerClass: string;
  /** Written as tokenizer_config.json `processor_class` where the family's real files have it. */
  processorClass?: string;
}

/** GPT-2's reversible byte → printable character table, as used by the ByteLevel pre-tokenizer and decoder. */
function byteToUnicode(): string[] {
  const printable = (from: string, to: string): number[] =>
    Array.from({ length: to.charCodeAt(0) - from.charCodeAt(0) + 1 }, (_, i) => from.charCodeAt(0) + i);
  const keptAsIs = new Set([...printable('!', '~'), ...printable('¡', '¬'), ...printable('®', 'ÿ')]);
  const table: string[] = [];
  let shifted = 0;
  for (let byte = 0; byte < 256; byte++) {
    table.push(String.fromCharCode(keptAsIs.has(byte) ? byte : 256 + shifted++));
  }
  return table;
}

/** Built once: a 'words' vocabulary spells tens of thousands of entries. */
const BYTE_CHARACTERS = byteToUnicode();

/** How a sequence of bytes, valid UTF-8 or not, is spelled as a byte-level BPE vocabulary entry. */
function spellBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => BYTE_CHARACTERS[byte]!).join('');
}

/**
 * How `text` is spelled as a byte-level BPE vocabulary entry: its UTF-8 bytes, each as its GPT-2 character (" The" →
 * "ĠThe"). The ByteLevel decoder maps such an entry back to exactly `text`, whatever characters it holds.
 */
export function byteLevelSpelling(text: string): string {
  return spellBytes(new TextEncoder().encode(text));
}

export interface Vocabulary {
  /**
   * Token string of each id: 256 byte characters, then the special tokens, then any extra tokens, then fillers up to
   * the vocab size.
   */
  tokens: string[];
  specialIds: Map<string, number>;
}

/**
 * `extraTokens` are byte-level spellings (see byteLevelSpelling) of multi-byte vocabulary entries. With no merges the
 * BPE model never produces them when encoding, but decodes them like any other token. So are the fillers that pad the
 * vocabulary up to `vocabSize`, spelled as `fillers` says.
 */
export function buildVocabulary(
  spec: TokenizerSpec,
  vocabSize: number,
  extraTokens: readonly string[] = [],
  fillers: FillerStyle = 'unused',
): Vocabulary {
  const { specials } = spec;
  const tokens = [...BYTE_CHARACTERS, ...specials];
  const specialIds = new Map(specials.map((content, i) => [content, 256 + i]));
  const known = new Set(tokens);
  for (const token of extraTokens) {
    if (known.has(token)) throw new Error(`Vocabulary entry ${JSON.stringify(token)} is already taken`);
    known.add(token);
    tokens.push(token);
  }
  if (tokens.length > vocabSize) throw new RangeError(`vocabSize ${vocabSize} is below the ${tokens.length} tokens needed`);
  const nextFiller = fillers === 'words' ? freshWordFillers(known) : (id: number) => `<unused_${id}>`;
  for (let id = tokens.length; id < vocabSize; id++) {
    const filler = nextFiller(id);
    if (known.has(filler)) throw new Error(`Vocabulary entry ${filler} is already taken`);
    known.add(filler);
    tokens.push(filler);
  }
  return { tokens, specialIds };
}

/** Draws a 'words' filler per call that is not in `known`; the caller adds it there. */
function freshWordFillers(known: ReadonlySet<string>): () => string {
  const candidates = wordFillerCandidates();
  return () => {
    // Word pieces alone have millions of spellings, so a miss streak this long means the generator is broken.
    for (let draw = 0; draw < 10_000; draw++) {
      const filler = spellBytes(candidates.next().value!);
      if (!known.has(filler)) return filler;
    }
    throw new Error(`No new 'words' filler after 10000 draws (${known.size} entries so far)`);
  };
}

/** The vocabulary entries every model of the family has: the 256 byte characters and the special tokens. */
export function baseVocabularyTokens(spec: TokenizerSpec): Set<string> {
  return new Set([...BYTE_CHARACTERS, ...spec.specials]);
}

export function tokenIdOf(vocabulary: Vocabulary, content: string): number {
  const id = vocabulary.specialIds.get(content);
  if (id === undefined) throw new Error(`No special token ${content}`);
  return id;
}

function addedTokenFields(content: string): Json {
  return { content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/** `postProcessor`: the family's tokenizer.json post_processor; null adds nothing around the text. */
export function tokenizerJson(vocabulary: Vocabulary, postProcessor: Json | null = null): Json {
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...vocabulary.specialIds].map(([content, id]) => ({ id, ...addedTokenFields(content) })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: postProcessor,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocabulary.tokens.map((token, id) => [token, id])),
      merges: [],
    },
  };
}

export function tokenizerConfigJson(spec: TokenizerSpec, vocabulary: Vocabulary, modelMaxLength: number): Json {
  return {
    add_prefix_space: false,
    added_tokens_decoder: Object.fromEntries(
      [...vocabulary.specialIds].map(([content, id]) => [String(id), addedTokenFields(content)]),
    ),
    additional_special_tokens: spec.additionalSpecialTokens,
    ...(spec.bos === null ? {} : { bos_token: spec.bos }),
    chat_template: spec.chatTemplate,
    clean_up_tokenization_spaces: false,
    eos_token: spec.eos,
    model_max_length: modelMaxLength,
    pad_token: spec.pad,
    ...(spec.processorClass === undefined ? {} : { processor_class: spec.processorClass }),
    tokenizer_class: spec.tokenizerClass,
    unk_token: spec.unk,
    vocab_size: vocabulary.tokens.length,
  };
}

export function specialTokensMapJson(spec: TokenizerSpec): Json {
  const token = (content: string): Json => ({ content, lstrip: false, normalized: false, rstrip: false, single_word: false });
  return {
    additional_special_tokens: spec.additionalSpecialTokens,
    ...(spec.bos === null ? {} : { bos_token: token(spec.bos) }),
    eos_token: token(spec.eos),
    pad_token: token(spec.pad),
    ...(spec.unk === null ? {} : { unk_token: token(spec.unk) }),
  };
}
