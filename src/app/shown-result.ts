import { finalPrompt, type HistoryRecord } from '../core/history-record.ts';
import type { GenerateResult } from '../core/rewriter-api.ts';
import type { RewriterState } from './rewriter-state.ts';

export type FinishedRun = Extract<RewriterState, { phase: 'finished' }>;

/**
 * The result in the main view: the latest finished rewrite, or one reopened from history. It is
 * kept apart from the rewriter's state, which goes to 'loading' for a model download and would
 * otherwise take the result off the screen.
 */
export interface ShownResult {
  run: FinishedRun;
  /** Its history entry, with the user's edits. */
  record: HistoryRecord;
  /** What a remote send attaches: the file that was rewritten, or the stored copy of it. */
  image: Blob;
}

/** A history entry as a finished run, for the main view; `startedAt` tells one opening from the next. */
export function runFromRecord(record: HistoryRecord, startedAt: number): FinishedRun {
  return {
    phase: 'finished',
    model: null,
    reasoning: record.reasoning,
    prompt: record.prompt,
    startedAt,
    output: record.rawOutput,
    generation: generationOf(record),
    // The editor starts from the user's edit, as it was left.
    rewrite: { ...record.rewrite, refinedPrompt: finalPrompt(record) },
    imageText: record.imageText,
  };
}

function generationOf(record: HistoryRecord): GenerateResult | null {
  const { tokenCount, firstTokenMs, totalMs } = record.timings;
  if (!record.model || record.stopReason === null || tokenCount === null || firstTokenMs === null || totalMs === null) return null;
  const { original, processed } = record.image;
  return {
    text: record.rawOutput,
    tokenCount,
    stopReason: record.stopReason,
    firstTokenMs,
    totalMs,
    image: original && processed ? { original, processed } : null,
    constraint: null,
    // History keeps what the run gave, not what it took over from the one before.
    reuse: null,
  };
}

/** A rewrite that just finished, as the main view shows it. */
export function runFromCompleted(
  done: Pick<FinishedRun, 'rewrite' | 'generation' | 'model' | 'imageText' | 'reasoning'>,
  prompt: string,
  startedAt: number,
): FinishedRun {
  const { model, generation, rewrite, imageText, reasoning } = done;
  return { phase: 'finished', model, reasoning, prompt, startedAt, output: generation?.text ?? '', generation, rewrite, imageText };
}
