import { useId } from 'react';
import { CUSTOM_MODEL_CHOICE, STATIC_DEFENCE_CHOICE, type CustomModelInput } from '../app/rewriter-choice.ts';
import { useModelsWithoutHub } from '../app/use-models-without-hub.ts';
import { TRANSFORMERS_JS_VERSION, isFamilyVerified, type ModelRecord, type Recommendation } from '../core/model-catalog.ts';
import { MODEL_FAMILIES, type ModelFamily } from '../core/model-families.ts';
import { ModelsWithoutHubNote } from './models-without-hub-note.tsx';

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

/** The model select's id, fixed so a way forward elsewhere on the page can bring it into focus. */
export const REWRITER_MODEL_SELECT_ID = 'rewriter-model';

export function RewriterPicker(props: RewriterPickerProps) {
  const ids = { customId: useId(), customHint: useId(), family: useId(), about: useId() };
  const selected = props.models.find((model) => model.id === props.choice);
  const recommended = props.models.find((model) => model.id === props.recommendation?.modelId);
  // Offline, or since a load failed to reach the hub: say what works without it.
  const withoutHub = useModelsWithoutHub(props.models);

  return (
    <fieldset className="settings" disabled={props.disabled}>
      <legend>Rewriter</legend>
      <div className="field">
        <label htmlFor={REWRITER_MODEL_SELECT_ID}>Model</label>
        <select
          id={REWRITER_MODEL_SELECT_ID}
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
      {withoutHub && (
        <div className="notice hub-unreachable" data-testid="hub-unreachable">
          <p>
            The model hub cannot be reached now: {withoutHub.length === 0 ? 'no model' : `${withoutHub.length} of these models`} can
            load without it, and the static defence always works.
          </p>
          {withoutHub.length > 0 && (
            <details>
              <summary>Which ones</summary>
              <ModelsWithoutHubNote models={withoutHub} />
            </details>
          )}
        </div>
      )}
      {props.choice === CUSTOM_MODEL_CHOICE && (
        <div className="custom-model">
          <div className="field">
            <label htmlFor={ids.customId}>Model id</label>
            <input
              id={ids.customId}
              type="text"
              placeholder="org/name or models/org/name"
              spellCheck={false}
              value={props.custom.id}
              aria-invalid={props.customIdError !== null}
              aria-describedby={ids.customHint}
              onChange={(event) => props.onCustomChange({ ...props.custom, id: event.target.value.trim() })}
            />
            <p id={ids.customHint} className="hint">
              A Hub id (org/name), or a folder of this site as models/org/name, which loads only from there.
            </p>
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
