import { diffWords } from 'diff';

export interface DiffPart {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** A word-level diff of the refined prompt against the original, for display. */
export function diffPromptWords(original: string, refined: string): DiffPart[] {
  return diffWords(original, refined).map((change) => ({
    kind: change.added ? 'added' : change.removed ? 'removed' : 'same',
    text: change.value,
  }));
}

/**
 * Below this share of the original's words kept, a rewrite counts as substantial: interleaved, its word diff
 * reads as word soup, so the two prompts are shown side by side instead.
 */
export const SUBSTANTIAL_REWRITE_KEPT_SHARE = 0.4;

export type PromptDiff =
  /** A small edit: one text with the removed and added words in place. */
  | { layout: 'inline'; parts: DiffPart[]; keptShare: number }
  /** A substantial rewrite: the original with its removed words marked, beside the refined prompt with its added words marked. */
  | { layout: 'side-by-side'; original: DiffPart[]; refined: DiffPart[]; keptShare: number };

/** The diff to show for a refined prompt: inline for a small edit, side by side for a substantial rewrite. */
export function planPromptDiff(original: string, refined: string): PromptDiff {
  const parts = diffPromptWords(original, refined);
  const originalWords = countWords(original);
  const keptWords = parts.filter((part) => part.kind === 'same').reduce((sum, part) => sum + countWords(part.text), 0);
  // A prompt without words (only punctuation or emoji) has nothing to lose: its diff is a small edit.
  const keptShare = originalWords === 0 ? 1 : keptWords / originalWords;
  if (keptShare >= SUBSTANTIAL_REWRITE_KEPT_SHARE) return { layout: 'inline', parts, keptShare };
  return {
    layout: 'side-by-side',
    original: parts.filter((part) => part.kind !== 'added'),
    refined: parts.filter((part) => part.kind !== 'removed'),
    keptShare,
  };
}

/** The diff in a few words, for the line beside its heading. */
export function summarizePromptDiff(diff: PromptDiff): string {
  const kept = `${Math.round(diff.keptShare * 100)} % of your words kept`;
  if (diff.layout === 'side-by-side') return `a substantial rewrite, ${kept}`;
  const removed = diff.parts.some((part) => part.kind === 'removed');
  const added = diff.parts.some((part) => part.kind === 'added');
  if (!removed && !added) return 'no changes';
  if (!removed) return 'all your words kept, text added';
  return `a small edit, ${kept}`;
}

/** Words are runs of letters and digits, in any script; spacing and punctuation do not count. */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
}
