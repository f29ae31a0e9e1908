import { useId } from 'react';
import { OFFERED_MODELS } from '../app/offered-models.ts';
import type { LoadRecovery } from '../app/run-on-screen.ts';
import { useModelsWithoutHub } from '../app/use-models-without-hub.ts';
import { ModelsWithoutHubNote } from './models-without-hub-note.tsx';
import { REWRITER_MODEL_SELECT_ID } from './rewriter-picker.tsx';
import './result.css';

/** Brings the rewriter picker into view and focuses it; the models view when the picker is not on screen. */
function focusRewriterPicker(): void {
  const picker = document.getElementById(REWRITER_MODEL_SELECT_ID);
  if (!picker || picker.closest('[hidden]')) {
    window.location.hash = '#/models';
    return;
  }
  picker.scrollIntoView({ block: 'center', behavior: 'smooth' });
  picker.focus({ preventScroll: true });
}

/** After a model failed to load: try again, pick another, or go on with the static defence; the inputs stay. */
export function LoadRecoveryView({ recovery }: { recovery: LoadRecovery }) {
  const titleId = useId();
  const withoutHub = useModelsWithoutHub(OFFERED_MODELS);
  return (
    <section className="way-forward" aria-labelledby={titleId} data-testid="load-recovery">
      <h3 id={titleId}>What you can do now</h3>
      <p>{recovery.modelLabel} did not load. Your prompt and image are still here.</p>
      <div className="actions">
        <button type="button" onClick={recovery.retry}>
          Retry
        </button>
        <button type="button" onClick={focusRewriterPicker}>
          Choose another model
        </button>
        <button type="button" onClick={recovery.runStaticDefence}>
          Use static defence for now
        </button>
      </div>
      {recovery.hubUnreachable && <ModelsWithoutHubNote models={withoutHub} />}
      <p className="muted">
        <a href="#/models">See every model, what is cached and what each costs</a>
      </p>
    </section>
  );
}
