import { useId } from 'react';
import { DEFAULT_STRICTNESS, formatProbability } from '../core/rewrite-decision.ts';

interface DecisionSettingsProps {
  strictness: number;
  onStrictnessChange: (strictness: number) => void;
  constrained: boolean;
  onConstrainedChange: (constrained: boolean) => void;
  disabled: boolean;
}

/** How the rewriter's output becomes a decision: the pass-through threshold and the output constraint. */
export function DecisionSettings(props: DecisionSettingsProps) {
  const ids = { strictness: useId(), strictnessHint: useId(), constrainedHint: useId() };
  return (
    <fieldset className="settings decision" disabled={props.disabled}>
      <legend>Decision and output format</legend>
      <div className="field">
        <label htmlFor={ids.strictness}>
          Strictness: P(no risk) needed to pass a prompt through unchanged{' '}
          <output htmlFor={ids.strictness} data-testid="strictness-value">
            {formatProbability(props.strictness)}
          </output>
        </label>
        <input
          id={ids.strictness}
          type="range"
          min={0}
          max={1}
          step={0.01}
          value={props.strictness}
          aria-describedby={ids.strictnessHint}
          onChange={(event) => props.onStrictnessChange(event.target.valueAsNumber)}
        />
        <p id={ids.strictnessHint} className="muted">
          Default {formatProbability(DEFAULT_STRICTNESS)}. Higher sends more prompts through the model&apos;s rewrite or the
          static defence; 0 passes every prompt the model calls risk-free.
        </p>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={props.constrained}
          aria-describedby={ids.constrainedHint}
          onChange={(event) => props.onConstrainedChange(event.target.checked)}
        />
        Constrain the output to the format
      </label>
      <p id={ids.constrainedHint} className="muted">
        On: tags only in order, levels and categories from fixed lists, and a risk score. Off: for a fine-tuned model that
        writes the format itself; no score, and the output is parsed tolerantly.
      </p>
    </fieldset>
  );
}
