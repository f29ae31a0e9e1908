import { useId, useState } from 'react';
import { REASONING_LABELS, REASONING_MAX_NEW_TOKENS, REASONING_MODES, type ReasoningMode } from '../core/reasoning-mode.ts';
import { MAX_NEW_TOKENS_RANGE } from '../core/rewrite-prompt.ts';

interface OutputSettingsProps {
  reasoning: ReasoningMode;
  onReasoningChange: (mode: ReasoningMode) => void;
  maxNewTokens: number;
  onMaxNewTokensChange: (tokens: number) => void;
  disabled: boolean;
}

const LIMITS = REASONING_MODES.map((mode) => `${REASONING_LABELS[mode].label.toLowerCase()} ${REASONING_MAX_NEW_TOKENS[mode]}`).join(', ');

/** How much the model writes: its reasoning before the verdict, and the output limit that follows from it. */
export function OutputSettings(props: OutputSettingsProps) {
  const ids = { maxNewTokens: useId(), limitHint: useId(), modeHint: useId() };
  // Free text while typing ("5" on the way to "512"); only values in range reach the setting.
  const [maxTokensText, setMaxTokensText] = useState(String(props.maxNewTokens));
  const [shownLimit, setShownLimit] = useState(props.maxNewTokens);
  // A reasoning mode changed the limit: show the new one.
  if (shownLimit !== props.maxNewTokens) {
    setShownLimit(props.maxNewTokens);
    if (Number(maxTokensText) !== props.maxNewTokens) setMaxTokensText(String(props.maxNewTokens));
  }

  return (
    <fieldset className="settings output-settings" disabled={props.disabled}>
      <legend>Reasoning and output length</legend>
      <fieldset className="choices" aria-describedby={ids.modeHint}>
        <legend>Reasoning before the verdict</legend>
        {REASONING_MODES.map((mode) => (
          <label key={mode} className="check choice">
            <input
              type="radio"
              name="reasoning"
              value={mode}
              checked={props.reasoning === mode}
              onChange={() => props.onReasoningChange(mode)}
            />
            <span>
              <span className="choice-label">{REASONING_LABELS[mode].label}</span>
              <span className="muted"> — {REASONING_LABELS[mode].description}</span>
            </span>
          </label>
        ))}
        <p id={ids.modeHint} className="muted">
          Less reasoning means fewer tokens to generate, so a faster rewrite on a CPU, and a verdict with less
          explanation. Remembered on this device.
        </p>
      </fieldset>
      <div className="field">
        <label htmlFor={ids.maxNewTokens}>Output limit (tokens)</label>
        <input
          id={ids.maxNewTokens}
          type="number"
          min={MAX_NEW_TOKENS_RANGE.min}
          max={MAX_NEW_TOKENS_RANGE.max}
          step={16}
          value={maxTokensText}
          aria-describedby={ids.limitHint}
          onChange={(event) => {
            setMaxTokensText(event.target.value);
            const tokens = event.target.valueAsNumber;
            if (Number.isInteger(tokens) && tokens >= MAX_NEW_TOKENS_RANGE.min && tokens <= MAX_NEW_TOKENS_RANGE.max) {
              props.onMaxNewTokensChange(tokens);
            }
          }}
          onBlur={() => setMaxTokensText(String(props.maxNewTokens))}
        />
        <p id={ids.limitHint} className="muted">
          Each reasoning mode has its own limit ({LIMITS}); choosing a mode sets it, unless you have typed a number of
          your own here.
        </p>
      </div>
    </fieldset>
  );
}
