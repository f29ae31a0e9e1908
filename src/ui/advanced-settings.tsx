import { useId, useState } from 'react';
import type { BackendPreference } from '../core/runtime-capabilities.ts';
import { MAX_NEW_TOKENS_RANGE } from '../core/rewrite-prompt.ts';
import { HUGGING_FACE_HUB_URL, LOCAL_MODELS_PATH, normalizeHubUrl, type ModelSource } from '../core/model-source.ts';

interface AdvancedSettingsProps {
  source: ModelSource;
  onSourceChange: (source: ModelSource) => void;
  preference: BackendPreference;
  onPreferenceChange: (preference: BackendPreference) => void;
  maxNewTokens: number;
  onMaxNewTokensChange: (tokens: number) => void;
  disabled: boolean;
}

export function AdvancedSettings(props: AdvancedSettingsProps) {
  const { source, onSourceChange, disabled } = props;
  const ids = { hubUrl: useId(), backend: useId(), maxNewTokens: useId() };
  const [hubUrlText, setHubUrlText] = useState(source.hubUrl ?? HUGGING_FACE_HUB_URL);
  const [hubEnabled, setHubEnabled] = useState(source.hubUrl !== null);
  const [hubUrlError, setHubUrlError] = useState<string | null>(null);
  // Free text while typing ("5" on the way to "512"); only values in range reach the setting.
  const [maxTokensText, setMaxTokensText] = useState(String(props.maxNewTokens));

  // An invalid URL keeps the last valid source, so a half-typed URL never reaches a load.
  const updateHub = (text: string, enabled: boolean) => {
    setHubUrlText(text);
    setHubEnabled(enabled);
    const check = normalizeHubUrl(text);
    setHubUrlError(enabled && !check.ok ? check.message : null);
    if (!enabled) onSourceChange({ ...source, hubUrl: null });
    else if (check.ok) onSourceChange({ ...source, hubUrl: check.url });
  };

  return (
    <fieldset className="settings advanced" disabled={disabled}>
      <legend>Model source and backend</legend>
      <label className="check">
        <input
          type="checkbox"
          checked={source.localPath !== null}
          onChange={(event) => onSourceChange({ ...source, localPath: event.target.checked ? LOCAL_MODELS_PATH : null })}
        />
        Look in this site's {LOCAL_MODELS_PATH} folder first
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={hubEnabled}
          onChange={(event) => updateHub(hubUrlText, event.target.checked)}
        />
        Download from a model hub
      </label>
      <div className="field">
        <label htmlFor={ids.hubUrl}>Hub URL</label>
        <input
          id={ids.hubUrl}
          type="url"
          value={hubUrlText}
          disabled={!hubEnabled}
          aria-invalid={hubUrlError !== null}
          onChange={(event) => updateHub(event.target.value, true)}
        />
      </div>
      {hubUrlError && (
        <p role="alert" className="error">
          {hubUrlError}
        </p>
      )}
      <div className="field">
        <label htmlFor={ids.backend}>Backend</label>
        <select
          id={ids.backend}
          value={props.preference}
          onChange={(event) => props.onPreferenceChange(event.target.value === 'wasm' ? 'wasm' : 'auto')}
        >
          <option value="auto">Automatic (WebGPU when available)</option>
          <option value="wasm">WASM (CPU) only</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.maxNewTokens}>Output limit (tokens)</label>
        <input
          id={ids.maxNewTokens}
          type="number"
          min={MAX_NEW_TOKENS_RANGE.min}
          max={MAX_NEW_TOKENS_RANGE.max}
          step={16}
          value={maxTokensText}
          onChange={(event) => {
            setMaxTokensText(event.target.value);
            const tokens = event.target.valueAsNumber;
            if (Number.isInteger(tokens) && tokens >= MAX_NEW_TOKENS_RANGE.min && tokens <= MAX_NEW_TOKENS_RANGE.max) {
              props.onMaxNewTokensChange(tokens);
            }
          }}
          onBlur={() => setMaxTokensText(String(props.maxNewTokens))}
        />
      </div>
    </fieldset>
  );
}
