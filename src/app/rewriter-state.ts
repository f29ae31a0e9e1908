import type { ImageTextOutcome } from '../core/image-text.ts';
import type { LoadFailureKind } from '../core/load-error-message.ts';
import { DEFAULT_REASONING_MODE, type ReasoningMode } from '../core/reasoning-mode.ts';
import type { RewriteResult } from '../core/rewrite-format.ts';
import type { Backend } from '../core/runtime-capabilities.ts';
import type { GenerateResult, LoadedModel, LoadProgress, StreamUpdate } from '../core/rewriter-api.ts';

export interface DownloadProgress {
  modelId: string;
  loaded: number;
  total: number;
  /** performance.now() at the start and at the latest byte count, for the download speed. */
  startedAt: number;
  updatedAt: number;
  files: Record<string, { loaded: number; total: number; done: boolean }>;
  stage: 'downloading' | 'warming-up';
  /** The backend the worker is loading onto; null until it says. */
  backend: Backend | null;
}

/** Bytes per second since the download started; null until there is something to measure. */
export function downloadSpeed(download: DownloadProgress): number | null {
  const seconds = (download.updatedAt - download.startedAt) / 1000;
  return seconds > 0.2 && download.loaded > 0 ? download.loaded / seconds : null;
}

export type RewriterState =
  | { phase: 'idle'; model: LoadedModel | null; notice?: string }
  | { phase: 'loading'; model: null; download: DownloadProgress }
  | {
      phase: 'generating';
      model: LoadedModel | null;
      /** Only OCR runs, for the static defence: no model writes anything. */
      staticDefence: boolean;
      /** The analyses the model was asked for (full for the static defence, where no model writes). */
      reasoning: ReasoningMode;
      prompt: string;
      output: string;
      tokenCount: number;
      startedAt: number;
      /** Null until OCR has answered (or when this run does not read text). */
      imageText: ImageTextOutcome | null;
      readingImageText: boolean;
    }
  | {
      phase: 'finished';
      model: LoadedModel | null;
      reasoning: ReasoningMode;
      prompt: string;
      /** performance.now() at the start: tells one run from the next even when results are equal. */
      startedAt: number;
      output: string;
      /** Null when no model ran (the static defence). */
      generation: GenerateResult | null;
      rewrite: RewriteResult;
      imageText: ImageTextOutcome;
    }
  | {
      phase: 'failed';
      model: LoadedModel | null;
      output: string;
      message: string;
      /** Set when the model did not load (as opposed to a failed generation): which one, and what kind of failure. */
      load?: FailedLoad;
    };

export interface FailedLoad {
  modelId: string;
  kind: LoadFailureKind;
}

export type RewriterAction =
  | { type: 'load-started'; modelId: string; at: number }
  | { type: 'load-progress'; progress: LoadProgress; at: number }
  | { type: 'load-cancelled' }
  | { type: 'load-finished'; model: LoadedModel }
  /** The loaded model's files were deleted: a result on screen stays, but no model is loaded any more. */
  | { type: 'model-unloaded' }
  | { type: 'generate-started'; prompt: string; startedAt: number; reasoning: ReasoningMode }
  /** The static defence waits for OCR before it quotes the text found. */
  | { type: 'static-started'; prompt: string; startedAt: number }
  | { type: 'image-text-started' }
  | { type: 'image-text-read'; imageText: ImageTextOutcome }
  | { type: 'stream'; update: StreamUpdate }
  | { type: 'generate-finished'; generation: GenerateResult; rewrite: RewriteResult }
  | { type: 'static-rewrite'; prompt: string; rewrite: RewriteResult; startedAt: number; imageText: ImageTextOutcome }
  | { type: 'failed'; message: string; load?: FailedLoad };

/** A run that has just started: nothing written, OCR not yet asked. */
function startedRun(
  model: LoadedModel | null,
  start: { prompt: string; startedAt: number; reasoning?: ReasoningMode },
  staticDefence: boolean,
): RewriterState {
  const reasoning = start.reasoning ?? DEFAULT_REASONING_MODE;
  return { phase: 'generating', model, staticDefence, reasoning, prompt: start.prompt, output: '', tokenCount: 0, startedAt: start.startedAt, imageText: null, readingImageText: false };
}

export const initialRewriterState: RewriterState = { phase: 'idle', model: null };

export function rewriterReducer(state: RewriterState, action: RewriterAction): RewriterState {
  switch (action.type) {
    case 'load-started':
      return {
        phase: 'loading',
        model: null,
        download: {
          modelId: action.modelId,
          loaded: 0,
          total: 0,
          startedAt: action.at,
          updatedAt: action.at,
          files: {},
          stage: 'downloading',
          backend: null,
        },
      };
    case 'load-progress':
      return state.phase === 'loading'
        ? { ...state, download: applyProgress(state.download, action.progress, action.at) }
        : state;
    case 'load-cancelled':
      return { phase: 'idle', model: null, notice: 'Download cancelled. Nothing of it was kept.' };
    case 'load-finished':
      return { phase: 'idle', model: action.model };
    case 'model-unloaded':
      return state.phase === 'loading' || state.phase === 'generating' ? state : { ...state, model: null };
    case 'generate-started':
      return state.model ? startedRun(state.model, action, false) : state;
    case 'static-started':
      return startedRun(state.model, action, true);
    case 'image-text-started':
      return state.phase === 'generating' ? { ...state, readingImageText: true } : state;
    case 'image-text-read':
      return state.phase === 'generating' ? { ...state, imageText: action.imageText, readingImageText: false } : state;
    case 'stream':
      return state.phase === 'generating'
        ? { ...state, output: state.output + action.update.text, tokenCount: action.update.tokenCount }
        : state;
    case 'generate-finished':
      return state.phase === 'generating'
        ? {
            phase: 'finished',
            model: state.model,
            reasoning: state.reasoning,
            prompt: state.prompt,
            startedAt: state.startedAt,
            output: action.generation.text,
            generation: action.generation,
            rewrite: action.rewrite,
            imageText: state.imageText ?? { kind: 'off' },
          }
        : state;
    case 'static-rewrite':
      return {
        phase: 'finished',
        model: state.model,
        reasoning: DEFAULT_REASONING_MODE,
        prompt: action.prompt,
        startedAt: action.startedAt,
        output: '',
        generation: null,
        rewrite: action.rewrite,
        imageText: action.imageText,
      };
    case 'failed':
      return {
        phase: 'failed',
        model: state.model,
        output: 'output' in state ? state.output : '',
        message: action.message,
        ...(action.load && { load: action.load }),
      };
  }
}

function applyProgress(download: DownloadProgress, progress: LoadProgress, at: number): DownloadProgress {
  switch (progress.kind) {
    case 'total':
      return { ...download, loaded: progress.loaded, total: progress.total, updatedAt: at };
    case 'file-bytes': {
      const previous = download.files[progress.file];
      const file = { loaded: progress.loaded, total: progress.total, done: previous?.done ?? false };
      return { ...download, files: { ...download.files, [progress.file]: file } };
    }
    case 'file': {
      if (progress.status !== 'done') return download;
      const previous = download.files[progress.file] ?? { loaded: 0, total: 0, done: false };
      return { ...download, files: { ...download.files, [progress.file]: { ...previous, done: true } } };
    }
    case 'backend':
      return { ...download, backend: progress.backend };
    case 'stage':
      return { ...download, stage: progress.stage };
  }
}
