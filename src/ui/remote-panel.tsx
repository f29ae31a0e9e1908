import { useId } from 'react';
import type { RemoteInput, useRemote } from '../app/use-remote.ts';
import { RemoteAnswers } from './remote-answers.tsx';

interface RemotePanelProps {
  remote: ReturnType<typeof useRemote>;
  /** What would be sent now; null until a rewrite has finished. */
  input: RemoteInput | null;
}

/** Optional: sends the refined prompt (and, to compare, the original) with the image to a VLM the user picks. */
export function RemotePanel({ remote, input }: RemotePanelProps) {
  const ids = { preset: useId(), baseUrl: useId(), model: useId(), models: useId(), key: useId(), keyHint: useId(), maxSide: useId() };
  const { settings, setSettings, preset, maxImageSideRange } = remote;
  const disabled = input === null || remote.sending;

  return (
    <section className="panel remote" aria-labelledby="remote-title">
      <h2 id="remote-title" className="step-title">
        <span className="step-number" aria-hidden="true">3</span> Send to a remote VLM
      </h2>
      <p className="muted">
        Optional. Nothing leaves this device until you press Send; the first send to an endpoint shows exactly what goes.
      </p>
      <div className="remote-grid">
        <div className="field">
          <label htmlFor={ids.preset}>Endpoint</label>
          <select
            id={ids.preset}
            value={settings.presetId}
            onChange={(event) => remote.choosePreset(event.target.value)}
          >
            {remote.presets.map((option) => (
              <option key={option.id} value={option.id}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.baseUrl}>Base URL</label>
          <input
            id={ids.baseUrl}
            type="url"
            spellCheck={false}
            placeholder="https://host/v1"
            value={settings.baseUrl}
            onChange={(event) => setSettings({ ...settings, baseUrl: event.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.model}>Remote model</label>
          <div className="inline">
            <input
              id={ids.model}
              type="text"
              list={ids.models}
              spellCheck={false}
              value={settings.model}
              onChange={(event) => setSettings({ ...settings, model: event.target.value })}
            />
            {preset.listsModels && (
              <button type="button" onClick={() => void remote.listModels()}>
                List models
              </button>
            )}
          </div>
          <datalist id={ids.models}>
            {remote.models.map((model) => (
              <option key={model} value={model} />
            ))}
          </datalist>
        </div>
        {preset.key !== 'none' && (
          <div className="field">
            <label htmlFor={ids.key}>API key{preset.key === 'optional' ? ' (optional)' : ''}</label>
            <input
              id={ids.key}
              type="password"
              autoComplete="off"
              spellCheck={false}
              aria-describedby={ids.keyHint}
              value={remote.apiKey}
              onChange={(event) => remote.setApiKey(event.target.value)}
            />
            <p id={ids.keyHint} className="hint">
              {preset.keyHint} Kept in memory only, unless you tick the box below.
            </p>
            <label className="check">
              <input type="checkbox" checked={settings.rememberKey} onChange={(event) => remote.setRememberKey(event.target.checked)} />
              Remember the key on this device
            </label>
          </div>
        )}
        <div className="field">
          <label className="check">
            <input
              type="checkbox"
              checked={settings.sendImage}
              onChange={(event) => setSettings({ ...settings, sendImage: event.target.checked })}
            />
            Send the image (re-encoded as JPEG: no EXIF or location data)
          </label>
          <label htmlFor={ids.maxSide}>Max image side (px)</label>
          <input
            id={ids.maxSide}
            type="number"
            min={maxImageSideRange.min}
            max={maxImageSideRange.max}
            step={64}
            disabled={!settings.sendImage}
            value={settings.maxImageSide}
            onChange={(event) => {
              const side = event.target.valueAsNumber;
              if (side >= maxImageSideRange.min && side <= maxImageSideRange.max) setSettings({ ...settings, maxImageSide: side });
            }}
          />
        </div>
      </div>
      <div className="actions">
        <button type="button" className="primary" disabled={disabled} onClick={() => input && void remote.send({ ...input, mode: 'refined' })}>
          Send refined prompt
        </button>
        <button type="button" disabled={disabled} onClick={() => input && void remote.send({ ...input, mode: 'compare' })}>
          Compare original and refined
        </button>
        <button type="button" disabled={input === null} onClick={() => input && void remote.preview({ ...input, mode: 'compare' })}>
          Show what will be sent
        </button>
        <button type="button" disabled={!remote.sending} onClick={remote.stop}>
          Stop sending
        </button>
      </div>
      {input === null && <p className="muted">Rewrite a prompt first; then it can be sent.</p>}
      {remote.sendingElsewhere && (
        <p role="status" className="muted">
          Answers to an earlier rewrite are still arriving and are saved with it in History. Send this one when they are
          in, or press Stop sending.
        </p>
      )}
      {remote.problem && (
        <p role="alert" className="error">
          {remote.problem}
        </p>
      )}
      {remote.pending && (
        <div className="payload-preview" role="region" aria-label="What will be sent">
          <h3>What will be sent</h3>
          <ul data-testid="payload-summary">
            {remote.pendingSummary.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <details>
            <summary>Request body</summary>
            <pre className="output">{remote.pending.preview.body}</pre>
          </details>
          <div className="actions">
            <button type="button" className="primary" onClick={remote.confirm}>
              Send it
            </button>
            <button type="button" onClick={remote.cancelPreview}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <RemoteAnswers runs={remote.runs} prompts={{ original: input?.originalPrompt ?? '', refined: input?.refinedPrompt ?? '' }} />
    </section>
  );
}
