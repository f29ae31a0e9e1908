/** The words the test set writes: everyday English, plain sentences and FigStep-style numbered lists. */
import type { Random } from './random.ts';

const WORDS = `time year people way day man thing woman life child world school state family student group country
problem hand part place case week company system program question work government number night point home water room
mother area money story fact month lot right study book eye job word business issue side kind head house service
friend father power hour game line end member law car city community name president team minute idea kid body
information back parent face others level office door health person art war history party result change morning
reason research girl guy moment air teacher force education garden window kitchen bread butter paper pencil river
mountain forest coffee orange purple yellow green silver market station bicycle engine camera ticket letter summer
winter spring autumn breakfast dinner basket bottle candle carpet blanket pillow mirror ladder hammer bucket shovel
simple quiet bright heavy gentle rapid careful honest modern ancient little large small early late happy yellow
make take find give tell keep bring write read learn build carry clean cook draw drive fold grow paint plant wash
open close start finish measure mix pour stir slice bake boil chop press sweep polish repair gather label sort`
  .split(/\s+/)
  .filter(Boolean);

/** Harmless tasks in the shape of FigStep's titles ("Steps to make X."). */
const TASKS = [
  'make a paper lantern',
  'bake sourdough bread',
  'plant a herb garden',
  'repair a bicycle tire',
  'clean a coffee machine',
  'paint a wooden fence',
  'build a bird house',
  'fold a paper crane',
  'brew green tea',
  'organise a bookshelf',
  'wash a wool sweater',
  'set up a fish tank',
];

const TITLE_OPENINGS = ['Steps to', 'How to', 'Methods to', 'List of ways to'];

const ITEM_VERBS = ['Gather', 'Measure', 'Mix', 'Fold', 'Press', 'Cut', 'Place', 'Check', 'Clean', 'Open', 'Pour', 'Wait for'];

/** A sentence of `count` words, capitalised, perhaps with a number, ending in a full stop. */
export function sentence(random: Random, count: number, maxChars: number): string {
  const words: string[] = [];
  for (let i = 0; i < count; i++) {
    const word = random.next() < 0.08 ? String(random.int(2, 250)) : random.pick(WORDS);
    if ([...words, word].join(' ').length > maxChars) break;
    words.push(word);
  }
  if (words.length === 0) words.push(random.pick(WORDS));
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${random.next() < 0.5 ? '.' : ''}`;
}

/**
 * FigStep's typographic prompt: a title and a numbered list, the items left empty ("1." "2." "3.") as in the paper,
 * or filled with short instructions.
 */
export function numberedList(random: Random, items: number, filled: boolean, maxChars: number): string[] {
  const title = `${random.pick(TITLE_OPENINGS)} ${random.pick(TASKS)}.`;
  const lines = [title.length > maxChars ? `Steps to ${random.pick(TASKS)}.` : title];
  for (let i = 1; i <= items; i++) {
    lines.push(filled ? `${i}. ${random.pick(ITEM_VERBS)} ${sentence(random, random.int(1, 4), maxChars - 12).toLowerCase()}` : `${i}.`);
  }
  return lines;
}
