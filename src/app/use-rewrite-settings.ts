import { useCallback, useState } from 'react';
import type { ModelSource } from '../core/model-source.ts';
import { DEFAULT_MODEL_SOURCE } from '../core/model-source.ts';
import { DEFAULT_STRICTNESS } from '../core/rewrite-decision.ts';
import { DEFAULT_MAX_NEW_TOKENS } from '../core/rewrite-prompt.ts';
import type { BackendPreference } from '../core/runtime-capabilities.ts';
import type { CustomModelInput } from './rewriter-choice.ts';

/** Where the OCR setting is remembered: 'on' or 'off'; anything else (a first visit) reads as on. */
export const READ_IMAGE_TEXT_KEY = 'vlmguard.readImageText';

type SettingStorage = Pick<Storage, 'getItem' | 'setItem'>;

function localStorageOrNull(): SettingStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Storage disabled by the browser's settings: the setting still works, for this visit only.
    return null;
  }
}

/** OCR is on unless this device was told otherwise. */
export function readImageTextSetting(storage: SettingStorage | null): boolean {
  try {
    return storage?.getItem(READ_IMAGE_TEXT_KEY) !== 'off';
  } catch {
    return true;
  }
}

/** Remembers the setting; a storage that refuses (full, disabled) only means it is forgotten on reload. */
export function writeImageTextSetting(storage: SettingStorage | null, on: boolean): void {
  try {
    storage?.setItem(READ_IMAGE_TEXT_KEY, on ? 'on' : 'off');
  } catch {
    // The setting applies now either way.
  }
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
