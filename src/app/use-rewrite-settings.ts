import { useCallback, useState } from 'react';
import type { ModelSource } from '../core/model-source.ts';
import { DEFAULT_MODEL_SOURCE } from '../core/model-source.ts';
import { DEFAULT_STRICTNESS } from '../core/rewrite-decision.ts';
import { DEFAULT_MAX_NEW_TOKENS } from '../core/rewrite-prompt.ts';
import type { BackendPreference } from '../core/runtime-capabilities.ts';
import { localStorageOrNull, readFlag, writeFlag, type FlagStorage } from './device-flag.ts';
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

/** The knobs beside the prompt: custom model, source, backend, output length, strictness, constraint, OCR. */
export function useRewriteSettings() {
  const [custom, setCustom] = useState<CustomModelInput>({ id: '', family: 'smolvlm' });
  const [source, setSource] = useState<ModelSource>(DEFAULT_MODEL_SOURCE);
  const [preference, setPreference] = useState<BackendPreference>('auto');
  const [maxNewTokens, setMaxNewTokens] = useState(DEFAULT_MAX_NEW_TOKENS);
  const [strictness, setStrictness] = useState(DEFAULT_STRICTNESS);
  const [constrained, setConstrained] = useState(true);
  const [storage] = useState(localStorageOrNull);
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
