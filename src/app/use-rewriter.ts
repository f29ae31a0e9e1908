import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { BackendPreference, RuntimeCapabilities } from '../core/runtime-capabilities.ts';
import { describeGenerateError } from '../core/generate-error-message.ts';
import { probeCapabilities, type ProbedGlobal } from '../core/capability-probe.ts';
import { describeLoadError, loadFailureKind } from '../core/load-error-message.ts';
import type { ModelRecord } from '../core/model-catalog.ts';
import { sourceForModel, type ModelSource } from '../core/model-source.ts';
import { buildOutputFormatPlan } from '../core/output-format-plan.ts';
import { quoteImageText, type ImageTextOutcome } from '../core/image-text.ts';
import { decideRewrite, staticDefenceResult } from '../core/rewrite-decision.ts';
import { maxRefinedPromptLength } from '../core/rewrite-policy.ts';
import { buildRewriteMessages } from '../core/rewrite-prompt.ts';
import type { ReasoningMode } from '../core/reasoning-mode.ts';
import { noteHubUnreachable, noteModelLoaded } from './hub-status.ts';
import { createBrowserRewriterClient, type ImageTextStatus, type RewriterClient } from './rewriter-client.ts';
import type { RewriterChoice } from './rewriter-choice.ts';
import { initialRewriterState, rewriterReducer } from './rewriter-state.ts';
import type { RewriteResult } from '../core/rewrite-format.ts';
import type { GenerateResult, LoadedModel } from '../core/rewriter-api.ts';

export interface LoadInput {
  model: ModelRecord;
  source: ModelSource;
  preference: BackendPreference;
}

/** What a finished rewrite produced, for the caller to keep (history). */
export interface CompletedRewrite {
  rewrite: RewriteResult;
  generation: GenerateResult | null;
  model: LoadedModel | null;
  imageText: ImageTextOutcome;
  /** The analyses the model was asked for. */
  reasoning: ReasoningMode;
}

export interface RewriteInput {
  rewriter: RewriterChoice;
  source: ModelSource;
  preference: BackendPreference;
  image: Blob;
  prompt: string;
  maxNewTokens: number;
  /** How much the model analyses before its verdict: the instructions, their examples and the format plan follow it. */
  reasoning: ReasoningMode;
  /** Constrain the output to the format (the default); off for a fine-tuned model that writes it on its own. */
  constrained: boolean;
  /** The least P(no risk) for a pass-through. */
  strictness: number;
  /** Read the text in the image with OCR and give it to the rewriter (and the static defence) as quoted data. */
  readImageText: boolean;
}

/** The one hook that talks to the rewriter worker. */
export function useRewriter(createClient: () => RewriterClient = createBrowserRewriterClient) {
  const [state, dispatch] = useReducer(rewriterReducer, initialRewriterState);
  const [capabilities, setCapabilities] = useState<RuntimeCapabilities | null>(null);
  const [imageTextStatus, setImageTextStatus] = useState<ImageTextStatus>({ kind: 'not-loaded' });
  const clientRef = useRef<RewriterClient | null>(null);
  const readImageTextRef = useRef(false);
  const loadedRef = useRef<{ key: string; model: LoadedModel } | null>(null);

  useEffect(() => {
    const client = createClient();
    clientRef.current = client;
    client.onImageTextStatus(setImageTextStatus);
    client.setImageTextEnabled(readImageTextRef.current);
    // The page answers at once; the worker, which plans the device from its own probe, answers once its runtime has
    // loaded, and its answer wins. Either failing leaves the other's.
    let workerAnswered = false;
    void probeCapabilities(pageGlobal()).then(
      (capabilities) => {
        if (!workerAnswered) setCapabilities(capabilities);
      },
      () => undefined,
    );
    client.probe().then(
      (capabilities) => {
        workerAnswered = true;
        setCapabilities(capabilities);
      },
      () => undefined,
    );
    return () => {
      client.onImageTextStatus(null);
      client.dispose();
      clientRef.current = null;
      loadedRef.current = null;
    };
  }, [createClient]);

  /** Loads the model unless it is already loaded with the same source and backend; null when it failed. */
  const ensureLoaded = useCallback(async (input: LoadInput): Promise<LoadedModel | null> => {
    const client = clientRef.current;
    if (!client) return null;
    const source = sourceForModel(input.model, input.source);
    const key = JSON.stringify([input.model.id, source, input.preference]);
    if (loadedRef.current?.key === key) return loadedRef.current.model;
    loadedRef.current = null;
    dispatch({ type: 'load-started', modelId: input.model.id, at: performance.now() });
    try {
      const loaded = await client.load({ ...input, source }, (progress) => dispatch({ type: 'load-progress', progress, at: performance.now() }));
      loadedRef.current = { key, model: loaded };
      noteModelLoaded();
      dispatch({ type: 'load-finished', model: loaded });
      return loaded;
    } catch (error) {
      const failure = asError(error);
      const load = { modelId: input.model.id, kind: loadFailureKind(failure) };
      if (load.kind === 'network') noteHubUnreachable();
      // The worker has already removed what the cancelled load downloaded, and nothing else.
      if (failure.name === 'AbortError') dispatch({ type: 'load-cancelled' });
      else if (failure.name === 'WorkerFailedError') dispatch({ type: 'failed', message: failure.message, load });
      else dispatch({ type: 'failed', message: describeLoadError(failure, input.model.id, source), load });
      return null;
    }
  }, []);

  /** The OCR setting: while on, a model load also starts OCR's sessions (on the model's backend). */
  const setReadImageText = useCallback((enabled: boolean) => {
    readImageTextRef.current = enabled;
    clientRef.current?.setImageTextEnabled(enabled);
  }, []);

  const rewrite = useCallback(
    async (input: RewriteInput): Promise<CompletedRewrite | null> => {
      const client = clientRef.current;
      if (!client) return null;
      setReadImageText(input.readImageText);
      const readText = async (): Promise<ImageTextOutcome> => {
        if (!input.readImageText) return { kind: 'off' };
        dispatch({ type: 'image-text-started' });
        const imageText = await client.readImageText(input.image);
        dispatch({ type: 'image-text-read', imageText });
        return imageText;
      };
      if (input.rewriter.kind === 'static-defence') {
        const startedAt = performance.now();
        if (input.readImageText) dispatch({ type: 'static-started', prompt: input.prompt, startedAt });
        const imageText = await readText();
        const rewrite = staticDefenceResult(input.prompt, 'no-model', quotedText(imageText));
        dispatch({ type: 'static-rewrite', prompt: input.prompt, rewrite, startedAt, imageText });
        return { rewrite, generation: null, model: null, imageText, reasoning: input.reasoning };
      }
      const model = await ensureLoaded({ model: input.rewriter.model, source: input.source, preference: input.preference });
      if (!model) return null;
      dispatch({ type: 'generate-started', prompt: input.prompt, startedAt: performance.now(), reasoning: input.reasoning });
      try {
        const imageText = await readText();
        const quoted = quotedText(imageText);
        const { maxNewTokens, reasoning } = input;
        const outputFormat = input.constrained
          ? buildOutputFormatPlan({ maxNewTokens, refinedPromptMaxChars: maxRefinedPromptLength(input.prompt), reasoning })
          : null;
        const generation = await client.generate(
          { image: input.image, messages: buildRewriteMessages(input.prompt, quoted, reasoning), maxNewTokens, outputFormat },
          (update) => dispatch({ type: 'stream', update }),
        );
        const rewrite = decideRewrite({
          rawOutput: generation.text,
          originalPrompt: input.prompt,
          stopReason: generation.stopReason,
          levelProbabilities: generation.constraint?.levelProbabilities ?? null,
          strictness: input.strictness,
          imageText: quoted,
        });
        // Stop ended the worker (no shared stop flag on this page): the next rewrite loads the model again.
        if (generation.workerEnded) loadedRef.current = null;
        dispatch({ type: 'generate-finished', generation, rewrite });
        return { rewrite, generation, model, imageText, reasoning };
      } catch (error) {
        // A failed run can leave the runtime unusable (a lost GPU, exhausted memory): start the next
        // rewrite from a fresh worker, which reloads the model and falls back to WASM if WebGPU fails.
        client.dispose();
        loadedRef.current = null;
        const failure = asError(error);
        dispatch({
          type: 'failed',
          message: failure.name === 'WorkerFailedError' ? failure.message : describeGenerateError(failure, model.plan.backend),
        });
        return null;
      }
    },
    [ensureLoaded, setReadImageText],
  );

  const stop = useCallback(() => void clientRef.current?.stop(), []);
  /** Unloads the model if it is the one loaded (its files were just deleted), so nothing claims it is still there. */
  const forgetModel = useCallback((modelId: string) => {
    if (loadedRef.current?.model.modelId !== modelId) return;
    clientRef.current?.dispose();
    loadedRef.current = null;
    dispatch({ type: 'model-unloaded' });
  }, []);
  const cancelLoad = useCallback(() => clientRef.current?.cancelLoad(), []);
  const loadModel = useCallback((input: LoadInput) => void ensureLoaded(input), [ensureLoaded]);

  /** OCR's files were deleted: the next rewrite that reads text loads them again. */
  const forgetImageText = useCallback(() => clientRef.current?.forgetImageText(), []);

  return { state, capabilities, imageTextStatus, rewrite, stop, loadModel, cancelLoad, forgetModel, forgetImageText, setReadImageText };
}

function quotedText(outcome: ImageTextOutcome) {
  return outcome.kind === 'read' ? quoteImageText(outcome.reading.lines) : null;
}

/** The page's side of the probe; `gpu` only where the browser has WebGPU. */
function pageGlobal(): ProbedGlobal {
  const { hardwareConcurrency } = navigator;
  const deviceMemory = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
  return { crossOriginIsolated, navigator: { hardwareConcurrency, deviceMemory, ...('gpu' in navigator && { gpu: navigator.gpu }) } };
}

function asError(error: unknown): { name?: string; message: string } {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return { message: String(error.message), name: 'name' in error ? String(error.name) : undefined };
  }
  return { message: String(error) };
}
