import type { PresetId } from '../remote/endpoint-presets.ts';
import type { RemoteTimings } from '../remote/remote-client.ts';
import type { RemoteError } from '../remote/remote-errors.ts';

export type AnswerSlot = 'original' | 'refined';

export interface RemoteRun {
  text: string;
  status: 'waiting' | 'streaming' | 'done' | 'failed' | 'stopped';
  error: RemoteError | null;
  timings: RemoteTimings | null;
}

/** Everything an answer or an error depends on: the endpoint, the model, what is sent and for which result. */
export interface RemoteContext {
  presetId: PresetId;
  baseUrl: string;
  model: string;
  apiKey: string;
  sendImage: boolean;
  maxImageSide: number;
  /** The history entry of the result on screen; null before any. */
  recordId: string | null;
  originalPrompt: string;
  refinedPrompt: string;
}

/** The answers of one send. */
export interface RemoteRuns {
  /** Tells this send from a later one that replaced it. */
  sendId: number;
  context: RemoteContext;
  slots: Partial<Record<AnswerSlot, RemoteRun>>;
}

/** A message about the settings (a missing model, a failed listing), with what it was about. */
export interface RemoteProblem {
  message: string;
  context: RemoteContext;
}

export function startRuns(sendId: number, context: RemoteContext, slots: readonly AnswerSlot[]): RemoteRuns {
  return { sendId, context, slots: Object.fromEntries(slots.map((slot) => [slot, { text: '', status: 'waiting', error: null, timings: null }])) };
}

/** Applies a change from send `sendId`; a send that was replaced (and ends as stopped later) changes nothing. */
export function updateRun<T extends RemoteRuns | null>(runs: T, sendId: number, slot: AnswerSlot, change: Partial<RemoteRun>): T {
  const run = runs?.slots[slot];
  if (!runs || !run || runs.sendId !== sendId) return runs;
  return { ...runs, slots: { ...runs.slots, [slot]: { ...run, ...change } } };
}

/** The answers without their errors, for when the endpoint, model or inputs change: those errors no longer apply. */
export function withoutErrors(runs: RemoteRuns | null): RemoteRuns | null {
  if (!runs) return runs;
  return { ...runs, slots: Object.fromEntries(Object.entries(runs.slots).filter(([, run]) => run.status !== 'failed')) };
}

export function isSending(runs: RemoteRuns | null): boolean {
  return Object.values(runs?.slots ?? {}).some((run) => run.status === 'waiting' || run.status === 'streaming');
}

/**
 * The answers to show under the result on screen: none for another result (they are saved with it),
 * and no error once the endpoint, model or inputs it came from have changed.
 */
export function visibleRuns(runs: RemoteRuns | null, current: RemoteContext): { slots: RemoteRuns['slots']; elsewhere: boolean } {
  if (!runs) return { slots: {}, elsewhere: false };
  if (runs.context.recordId !== current.recordId) return { slots: {}, elsewhere: isSending(runs) };
  if (sameContext(runs.context, current)) return { slots: runs.slots, elsewhere: false };
  return { slots: Object.fromEntries(Object.entries(runs.slots).filter(([, run]) => run.status !== 'failed')), elsewhere: false };
}

export function currentProblem(problem: RemoteProblem | null, current: RemoteContext): string | null {
  return problem && sameContext(problem.context, current) ? problem.message : null;
}

export function sameContext(a: RemoteContext, b: RemoteContext): boolean {
  return (Object.keys(a) as Array<keyof RemoteContext>).every((key) => a[key] === b[key]);
}
