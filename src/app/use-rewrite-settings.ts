import { useState } from 'react';
import type { ModelSource } from '../core/model-source.ts';
import { DEFAULT_MODEL_SOURCE } from '../core/model-source.ts';
import { DEFAULT_STRICTNESS } from '../core/rewrite-decision.ts';
import { DEFAULT_MAX_NEW_TOKENS } from '../core/rewrite-prompt.ts';
import type { BackendPreference } from '../core/runtime-capabilities.ts';
import type { CustomModelInput } from './rewriter-choice.ts';

/** The knobs beside the prompt: custom model, source, backend, output length, strictness, constraint. */
export function useRewriteSettings() {
  const [custom, setCustom] = useState<CustomModelInput>({ id: '', family: 'smolvlm' });
  const [source, setSource] = useState<ModelSource>(DEFAULT_MODEL_SOURCE);
  const [preference, setPreference] = useState<BackendPreference>('auto');
  const [maxNewTokens, setMaxNewTokens] = useState(DEFAULT_MAX_NEW_TOKENS);
  const [strictness, setStrictness] = useState(DEFAULT_STRICTNESS);
  const [constrained, setConstrained] = useState(true);
  return {
    custom,
    setCustom,
    source,
    setSource,
    preference,
    setPreference,
    maxNewTokens,
    setMaxNewTokens,
    strictness,
    setStrictness,
    constrained,
    setConstrained,
  };
}
