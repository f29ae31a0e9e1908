import { useId, useState } from 'react';
import type { BackendPreference } from '../core/runtime-capabilities.ts';
import { HUGGING_FACE_HUB_URL, LOCAL_MODELS_PATH, normalizeHubUrl, type ModelSource } from '../core/model-source.ts';

interface AdvancedSettingsProps {
  source: ModelSource;
  onSourceChange: (source: ModelSource) => void;
  preference: BackendPreference;
  onPreferenceChange: (preference: BackendPreference) => void;
  disabled: boolean;
}

export function AdvancedSettings(props: AdvancedSettingsProps) {
  const { source, onSourceChange, disabled } = props;
  const ids = { hubUrl: useId(), backend: useId() };
  const [hubUrlText, setHubUrlText] = useState(source.hubUrl ?? HUGGING_FACE_HUB_URL);
  const [hubEnabled, setHubEnabled] = useState(source.hubUrl !== null);
  const [hubUrlError, setHubUrlError] = useState<string | null>(null);

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
    </fieldset>
  );
}
