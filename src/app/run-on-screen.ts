import type { RewriterState } from './rewriter-state.ts';

/** A rewrite as the main view shows it: running, finished, or failed. */
export type RunState = Extract<RewriterState, { phase: 'generating' | 'finished' | 'failed' }>;

/** The ways forward after a model failed to load; the prompt and the image stay as they are. */
export interface LoadRecovery {
  /** The model that did not load, as the picker names it. */
  modelLabel: string;
  /** The load could not reach the hub: the models that work without it are worth naming. */
  hubUnreachable: boolean;
  /** Tries the same load (and the rewrite, if a rewrite started it) again. */
  retry: () => void;
  /** Picks the static defence and runs it on the current inputs. */
  runStaticDefence: () => void;
}

export type RunOnScreen = RunState & { recovery?: LoadRecovery };
