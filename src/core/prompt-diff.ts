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
