import { useCallback, useState } from 'react';
import type { ModelSource } from '../core/model-source.ts';
import { DEFAULT_MODEL_SOURCE } from '../core/model-source.ts';
import { DEFAULT_STRICTNESS } from '../core/rewrite-decision.ts';
import {
  DEFAULT_REASONING_MODE,
  REASONING_MAX_NEW_TOKENS,
  REASONING_MODES,
  outputLimitAfterReasoningChange,
  type ReasoningMode,
} from '../core/reasoning-mode.ts';
import type { BackendPreference } from '../core/runtime-capabilities.ts';
import { localStorageOrNull, readChoice, readFlag, writeChoice, writeFlag, type FlagStorage } from './device-flag.ts';
import type { CustomModelInput } from './rewriter-choice.ts';

/** Where the OCR setting is remembered: 'on' or 'off'; anything else (a first visit) reads as on. */
export const READ_IMAGE_TEXT_KEY = 'vlmguard.readImageText';

/** OCR is on unless this device was told otherwise. */
export function readImageTextSetting(storage: FlagStorage | null): boolean {
  return readFlag(storage, READ_IMAGE_TEXT_KEY, true);
}

export function writeImageTextSetting(storage: FlagStorage | null, on: boolean): void {
  writeFlag(storage, READ_IMAGE_TEXT_KEY, on);
}

/** Where the reasoning mode is remembered: 'full', 'brief' or 'off'; anything else reads as full. */
export const REASONING_KEY = 'vlmguard.reasoning';

export function readReasoningSetting(storage: FlagStorage | null): ReasoningMode {
  return readChoice(storage, REASONING_KEY, REASONING_MODES, DEFAULT_REASONING_MODE);
}

export function writeReasoningSetting(storage: FlagStorage | null, mode: ReasoningMode): void {
  writeChoice(storage, REASONING_KEY, mode);
}

/**
 * The knobs beside the prompt: custom model, source, backend, reasoning, output length, strictness, constraint, OCR.
 * The output limit starts at the remembered reasoning mode's, and follows the mode until the user sets another.
 */
export function useRewriteSettings() {
  const [custom, setCustom] = useState<CustomModelInput>({ id: '', family: 'smolvlm' });
  const [source, setSource] = useState<ModelSource>(DEFAULT_MODEL_SOURCE);
  const [preference, setPreference] = useState<BackendPreference>('auto');
  const [storage] = useState(localStorageOrNull);
  const [reasoning, setReasoningNow] = useState(() => readReasoningSetting(storage));
  const [maxNewTokens, setMaxNewTokens] = useState(() => REASONING_MAX_NEW_TOKENS[reasoning]);
  const [strictness, setStrictness] = useState(DEFAULT_STRICTNESS);
  const [constrained, setConstrained] = useState(true);
  const setReasoning = useCallback(
    (mode: ReasoningMode) => {
      setReasoningNow(mode);
      setMaxNewTokens((limit) => outputLimitAfterReasoningChange(limit, reasoning, mode));
      writeReasoningSetting(storage, mode);
    },
    [reasoning, storage],
  );
  const [readImageText, setReadImageTextNow] = useState(() => readImageTextSetting(storage));
  const setReadImageText = useCallback(
    (on: boolean) => {
      setReadImageTextNow(on);
      writeImageTextSetting(storage, on);
    },
    [storage],
  );
  return {
    custom,
    setCustom,
    source,
    setSource,
    preference,
    setPreference,
    reasoning,
    setReasoning,
    maxNewTokens,
    setMaxNewTokens,
    strictness,
    setStrictness,
    constrained,
    setConstrained,
    readImageText,
    setReadImageText,
  };
}
