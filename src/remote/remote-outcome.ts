import type { RemoteError } from './remote-errors.ts';

export interface RemoteTimings {
  /** From the request (of the attempt that answered) to the first text; null when no text came. */
  firstTokenMs: number | null;
  totalMs: number;
  /** Time spent waiting out a 429 before the attempt that answered. */
  waitedMs: number;
}

export interface RemoteUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** One terminal outcome per send. On failure `text` holds what arrived before it. */
export type RemoteChatOutcome =
  /** finishReason is null when the server names none (some compatible servers never do). */
  | { ok: true; text: string; finishReason: string | null; timings: RemoteTimings; usage: RemoteUsage | null }
  | { ok: false; error: RemoteError; text: string; timings: RemoteTimings | null };

export type RemoteChatEvent =
  | { type: 'delta'; delta: string; text: string }
  /** A short 429: the client waits `waitMs`, then sends once more (Stop still works). */
  | { type: 'retry-wait'; waitMs: number }
  /** Emitted once, with the same object the promise resolves to. */
  | { type: 'done'; outcome: RemoteChatOutcome };

export type ListModelsOutcome = { ok: true; models: string[] } | { ok: false; error: RemoteError };
