import { randomForName, type SeededRandom } from './seeded-random.ts';

/**
 * How the vocabulary entries past the byte, special and script tokens are spelled:
 * - 'unused': `<unused_N>`, N the token id. Plain to read in a dump, but every one decodes to text with `<` in it.
 * - 'words': pseudo-random entries shaped like a real byte-level BPE vocabulary (see wordFillerCandidates), for tests
 *   that judge tokens by the text they decode to, such as a constrained-decoding mask at full vocabulary size.
 */
export type FillerStyle = 'unused' | 'words';

const ONSETS = ['', '', 'b', 'c', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'y', 'z'];
const CLUSTERS = ['ch', 'sh', 'th', 'st', 'tr', 'pr', 'br', 'cl', 'gr', 'wh', 'qu', 'sp', 'fl'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'i', 'o', 'ea', 'ou', 'io', 'ai', 'y'];
const CODAS = ['', '', '', 'n', 'r', 's', 't', 'l', 'm', 'd', 'ng', 'st', 'nd', 'ck', 'ss', 'x'];
const SUFFIXES = ['ing', 'tion', 'ed', 'er', 'ly', 'ment', 'ness', 'able', 'ous', 'ive', 'al', 's'];
const PUNCTUATION = [...'.,;:!?\'"()-*/&%$#@`~^|+=_'];
const BRACKETS = ['[', ']', '<', '[[', ']]', '](', '</', '<|', '|>', '[/'];
const CONTROLS = ['\t', '\t\t', '\u0001', '\u001b', '\r', '\u007f'];
const NON_ASCII = [...'éèüöñßçåø—–’“”…€£°±×中文日本語한국😀👋αβπЖ'];

/** Kinds of filler and how often each is drawn, out of their sum: mostly word pieces, as in a real vocabulary. */
const KINDS: readonly { weight: number; draw: (random: SeededRandom) => string | Uint8Array }[] = [
  { weight: 80, draw: (random) => maybeSpace(random, wordPiece(random)) },
  { weight: 6, draw: punctuation },
  { weight: 4, draw: withNewline },
  { weight: 3, draw: withBracket },
  { weight: 2, draw: withControl },
  { weight: 5, draw: nonAscii },
];

function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return items[Math.floor(random.uniform() * items.length)]!;
}

function maybeSpace(random: SeededRandom, text: string): string {
  return random.uniform() < 0.5 ? ` ${text}` : text;
}

/** One to three syllables, sometimes with a common suffix or a capital: "the", "ing", "strou", "Plonment". */
function wordPiece(random: SeededRandom): string {
  let word = '';
  const roll = random.uniform();
  const syllables = roll < 0.5 ? 1 : roll < 0.9 ? 2 : 3;
  for (let i = 0; i < syllables; i++) {
    const onset = random.uniform() < 0.2 ? pick(random, CLUSTERS) : pick(random, ONSETS);
    word += onset + pick(random, VOWELS) + pick(random, CODAS);
  }
  if (random.uniform() < 0.2) word += pick(random, SUFFIXES);
  return random.uniform() < 0.1 ? word[0]!.toUpperCase() + word.slice(1) : word;
}

function punctuation(random: SeededRandom): string {
  const length = 1 + Math.floor(random.uniform() * 3);
  return maybeSpace(random, Array.from({ length }, () => pick(random, PUNCTUATION)).join(''));
}

/** ".\n", "\n\n", " \n   ", "word\n": line breaks inside or at the end of an entry. */
function withNewline(random: SeededRandom): string {
  const before = pick(random, ['', '', '.', ',', ':', ';', ' ', ')', wordPiece(random)]);
  const breaks = '\n'.repeat(1 + Math.floor(random.uniform() * 3));
  const after = pick(random, ['', '', '', ' ', '    ', '\t', wordPiece(random)]);
  return before + breaks + after;
}

function withBracket(random: SeededRandom): string {
  const bracket = pick(random, BRACKETS);
  const word = pick(random, ['', wordPiece(random), pick(random, PUNCTUATION), '\n']);
  return maybeSpace(random, random.uniform() < 0.5 ? bracket + word : word + bracket);
}

function withControl(random: SeededRandom): string {
  return pick(random, ['', ' ', wordPiece(random)]) + pick(random, CONTROLS) + pick(random, ['', ' ', wordPiece(random)]);
}

/**
 * A character outside ASCII ("é", " 中"), or a piece of one's UTF-8 bytes as byte-level BPE vocabularies hold them:
 * a lead byte after a space, or a multi-byte character's first or last bytes. One byte alone is a base entry already.
 */
function nonAscii(random: SeededRandom): string | Uint8Array {
  const character = pick(random, NON_ASCII);
  const bytes = new TextEncoder().encode(character);
  const cut = 1 + Math.floor(random.uniform() * (bytes.length - 1));
  return pick(random, [
    () => maybeSpace(random, character),
    () => character + wordPiece(random),
    () => Uint8Array.of(0x20, bytes[0]!),
    () => bytes.slice(0, Math.max(cut, 2)),
    () => bytes.slice(Math.min(cut, bytes.length - 2)),
  ])();
}

/**
 * An endless, deterministic stream of 'words' filler entries as UTF-8 bytes (possibly invalid UTF-8), from one fixed
 * random stream: the same vocab size gives the same vocabulary whatever the model's seed. Candidates may repeat or be
 * one byte long; the caller keeps the ones not already in the vocabulary.
 */
export function* wordFillerCandidates(): Generator<Uint8Array> {
  const random = randomForName(0, 'vocabulary.word_fillers');
  const totalWeight = KINDS.reduce((sum, kind) => sum + kind.weight, 0);
  const encoder = new TextEncoder();
  for (;;) {
    let roll = random.uniform() * totalWeight;
    const kind = KINDS.find((candidate) => (roll -= candidate.weight) < 0) ?? KINDS[0]!;
    const drawn = kind.draw(random);
    yield typeof drawn === 'string' ? encoder.encode(drawn) : drawn;
  }
}
