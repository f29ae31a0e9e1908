import { useId } from 'react';
import { CUSTOM_MODEL_CHOICE, STATIC_DEFENCE_CHOICE, type CustomModelInput } from '../app/rewriter-choice.ts';
import { TRANSFORMERS_JS_VERSION, isFamilyVerified, type ModelRecord, type Recommendation } from '../core/model-catalog.ts';
import { MODEL_FAMILIES, type ModelFamily } from '../core/model-families.ts';

interface RewriterPickerProps {
  models: readonly ModelRecord[];
  /** A catalog id, CUSTOM_MODEL_CHOICE or STATIC_DEFENCE_CHOICE. */
  choice: string;
  onChoiceChange: (choice: string) => void;
  custom: CustomModelInput;
  onCustomChange: (custom: CustomModelInput) => void;
  customIdError: string | null;
  recommendation: Recommendation | null;
  disabled: boolean;
}

export function RewriterPicker(props: RewriterPickerProps) {
  const ids = { choice: useId(), customId: useId(), family: useId(), about: useId() };
  const selected = props.models.find((model) => model.id === props.choice);
  const recommended = props.models.find((model) => model.id === props.recommendation?.modelId);

  return (
    <fieldset className="settings" disabled={props.disabled}>
      <legend>Rewriter</legend>
      <div className="field">
        <label htmlFor={ids.choice}>Model</label>
        <select
          id={ids.choice}
          value={props.choice}
          aria-describedby={ids.about}
          onChange={(event) => props.onChoiceChange(event.target.value)}
        >
          {props.models.map((model) => (
            <option key={model.id} value={model.id}>
              {model.label} (~{model.approxDownloadMB} MB){model.id === recommended?.id ? ' — recommended' : ''}
              {isFamilyVerified(model.family) ? '' : ' — not verified with this version'}
            </option>
          ))}
          <option value={CUSTOM_MODEL_CHOICE}>Custom model (Hub id or models/ folder)…</option>
          <option value={STATIC_DEFENCE_CHOICE}>Static defence (no model, instant)</option>
        </select>
      </div>
      <div id={ids.about} className="model-about">
        {selected && (
          <p>
            {selected.parameters} parameters · {selected.licence} · {selected.whenToPick}
          </p>
        )}
        {selected && !isFamilyVerified(selected.family) && (
          <p className="notice">
            Not verified with this version: the {MODEL_FAMILIES[selected.family].label} layout has not passed this build&apos;s
            tests with transformers.js {TRANSFORMERS_JS_VERSION}. It may fail to load or write nonsense.
          </p>
        )}
        {props.choice === STATIC_DEFENCE_CHOICE && (
          <p>
            No model: the prompt is wrapped in a fixed safety instruction. Works offline, before any download,
            but does not look at the image.
          </p>
        )}
        {recommended && props.recommendation && (
          <p className="recommendation">
            Recommended here: {recommended.label}. {props.recommendation.reason}
          </p>
        )}
      </div>
      {props.choice === CUSTOM_MODEL_CHOICE && (
        <div className="custom-model">
          <div className="field">
            <label htmlFor={ids.customId}>Model id</label>
            <input
              id={ids.customId}
              type="text"
              placeholder="org/name"
              spellCheck={false}
              value={props.custom.id}
              aria-invalid={props.customIdError !== null}
              onChange={(event) => props.onCustomChange({ ...props.custom, id: event.target.value.trim() })}
            />
          </div>
          <div className="field">
            <label htmlFor={ids.family}>Model family</label>
            <select
              id={ids.family}
              value={props.custom.family}
              onChange={(event) => props.onCustomChange({ ...props.custom, family: event.target.value as ModelFamily })}
            >
              {Object.entries(MODEL_FAMILIES).map(([family, traits]) => (
                <option key={family} value={family}>
                  {traits.label}
                </option>
              ))}
            </select>
          </div>
          {props.customIdError && (
            <p role="alert" className="error">
              {props.customIdError}
            </p>
          )}
        </div>
      )}
    </fieldset>
  );
}
