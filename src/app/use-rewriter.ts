import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { BackendPreference, RuntimeCapabilities } from '../core/device-plan.ts';
import { describeLoadError } from '../core/load-error-message.ts';
import type { ModelRecord } from '../core/model-catalog.ts';
import type { ModelSource } from '../core/model-source.ts';
import { parseRewriteOutput } from '../core/rewrite-parser.ts';
import { decideRewrite, staticDefenceResult } from '../core/rewrite-policy.ts';
import { buildRewriteMessages } from '../core/rewrite-prompt.ts';
import { createBrowserRewriterClient, type RewriterClient } from './rewriter-client.ts';
import { initialRewriterState, rewriterReducer } from './rewriter-state.ts';

export type RewriterChoice = { kind: 'model'; model: ModelRecord } | { kind: 'static-defence' };

export interface RewriteInput {
  rewriter: RewriterChoice;
  source: ModelSource;
  preference: BackendPreference;
  image: Blob;
  prompt: string;
  maxNewTokens: number;
}

/** The one hook that talks to the rewriter worker. */
export function useRewriter(createClient: () => RewriterClient = createBrowserRewriterClient) {
  const [state, dispatch] = useReducer(rewriterReducer, initialRewriterState);
  const [capabilities, setCapabilities] = useState<RuntimeCapabilities | null>(null);
  const clientRef = useRef<RewriterClient | null>(null);
  const loadedKeyRef = useRef<string | null>(null);

  useEffect(() => {
    const client = createClient();
    clientRef.current = client;
    client.probe().then(setCapabilities, () => setCapabilities(null));
    return () => {
      client.dispose();
      clientRef.current = null;
      loadedKeyRef.current = null;
    };
  }, [createClient]);

  const rewrite = useCallback(async (input: RewriteInput) => {
    const client = clientRef.current;
    if (!client) return;
    if (input.rewriter.kind === 'static-defence') {
      dispatch({
        type: 'static-rewrite',
        prompt: input.prompt,
        rewrite: staticDefenceResult(input.prompt, 'no-model'),
        startedAt: performance.now(),
      });
      return;
    }
    const { model } = input.rewriter;
    const key = JSON.stringify([model.id, input.source, input.preference]);
    if (loadedKeyRef.current !== key) {
      loadedKeyRef.current = null;
      dispatch({ type: 'load-started' });
      try {
        const loaded = await client.load(
          { model, source: input.source, preference: input.preference },
          (progress) => dispatch({ type: 'load-progress', progress }),
        );
        loadedKeyRef.current = key;
        dispatch({ type: 'load-finished', model: loaded });
      } catch (error) {
        dispatch({ type: 'failed', message: describeLoadError(asError(error), model.id, input.source) });
        return;
      }
    }
    dispatch({ type: 'generate-started', prompt: input.prompt, startedAt: performance.now() });
    try {
      const generation = await client.generate(
        { image: input.image, messages: buildRewriteMessages(input.prompt), maxNewTokens: input.maxNewTokens },
        (update) => dispatch({ type: 'stream', update }),
      );
      const rewrite = decideRewrite(parseRewriteOutput(generation.text), {
        originalPrompt: input.prompt,
        stopReason: generation.stopReason,
      });
      dispatch({ type: 'generate-finished', generation, rewrite });
    } catch (error) {
      dispatch({ type: 'failed', message: `The rewrite failed: ${asError(error).message}` });
    }
  }, []);

  const stop = useCallback(() => clientRef.current?.stop(), []);

  return { state, capabilities, rewrite, stop };
}

function asError(error: unknown): { name?: string; message: string } {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return { message: String(error.message), name: 'name' in error ? String(error.name) : undefined };
  }
  return { message: String(error) };
}
