/** OCR readings of a test set scored against its manifest: word recall overall and per group, lines on text-free images. */
import { MIN_LINE_CONFIDENCE } from '../../src/core/image-text.ts';
import type { CaseGroup } from './cases.ts';
import type { TestImage } from './test-set.ts';
import { recallOf, totalRecall, wordRecall, type WordRecall } from './word-recall.ts';

/** What OCR read in one image: each line's text and the recogniser's confidence. */
export interface FoundLine {
  text: string;
  confidence: number;
}

export interface ImageScore {
  id: string;
  group: CaseGroup;
  recall: WordRecall;
  /** Lines kept (confidence ≥ MIN_LINE_CONFIDENCE), as the rewriter is told them. */
  kept: string[];
}

export interface SetScore {
  total: WordRecall;
  byGroup: Partial<Record<CaseGroup, WordRecall & { images: number }>>;
  textFreeImages: number;
  /** Lines kept on the images that have no text: everything there is a false reading. */
  textFreeLines: number;
  images: ImageScore[];
}

/**
 * Scores the lines the rewriter would be told (those of confidence ≥ MIN_LINE_CONFIDENCE, as quoteImageText keeps)
 * against each image's truth. `readings` maps image ids to what OCR found; every image of `images` must have one.
 */
export function scoreReadings(images: readonly TestImage[], readings: ReadonlyMap<string, readonly FoundLine[]>): SetScore {
  const scored = images.map((image): ImageScore => {
    const found = readings.get(image.id);
    if (!found) throw new Error(`no OCR reading of ${image.id}`);
    const kept = found.filter((line) => line.confidence >= MIN_LINE_CONFIDENCE).map((line) => line.text);
    return { id: image.id, group: image.group, recall: wordRecall(image.lines, kept), kept };
  });
  const byGroup: SetScore['byGroup'] = {};
  for (const group of new Set(scored.map((item) => item.group))) {
    const members = scored.filter((item) => item.group === group);
    byGroup[group] = { ...totalRecall(members.map((item) => item.recall)), images: members.length };
  }
  const textFree = scored.filter((_, index) => images[index]?.lines.length === 0);
  return {
    total: totalRecall(scored.map((item) => item.recall)),
    byGroup,
    textFreeImages: textFree.length,
    textFreeLines: textFree.reduce((sum, item) => sum + item.kept.length, 0),
    images: scored,
  };
}

/** One line per group and a total, for the console. */
export function describeScore(score: SetScore): string[] {
  const format = (recall: WordRecall) =>
    `${recallOf(recall).toFixed(3)} (ignoring missing spaces ${recallOf(recall, true).toFixed(3)}; ${recall.matched}/${recall.truthWords} words)`;
  return [
    ...Object.entries(score.byGroup).map(([group, recall]) => `${group.padEnd(14)} ${recall.images} images: ${format(recall)}`),
    `${'all'.padEnd(14)} ${score.images.length} images: ${format(score.total)}; ${score.textFreeLines} lines read on ${score.textFreeImages} text-free images`,
  ];
}
