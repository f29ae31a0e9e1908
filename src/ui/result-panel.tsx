import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { OFFERED_MODELS } from '../app/offered-models.ts';
import type { AppSession } from './app-session.ts';
import { BACKEND_LABELS } from './device-panel.tsx';
import { RunView } from './run-view.tsx';

interface ResultPanelProps {
  session: AppSession;
  /** The model load and its problems, first thing under the heading. */
  activity: ReactNode;
}

/** Step 2 of the story: the model loading, the analysis as it streams, the score and the decision, then the refined prompt. */
export function ResultPanel({ session, activity }: ResultPanelProps) {
  const { run, state } = session;
  const model = state.model;
  const modelLabel = model && (OFFERED_MODELS.find((offered) => offered.id === model.modelId)?.label ?? model.modelId);
  return (
    <section className="panel result-panel" aria-labelledby="result-title">
      <div className="result-header">
        <h2 id="result-title" className="step-title">
          <span className="step-number" aria-hidden="true">2</span> On-device analysis and refined prompt
        </h2>
        {model && (
          <p className="muted runs-on">
            {modelLabel} on {BACKEND_LABELS[model.plan.backend]} · <Link href="/models">device details</Link>
          </p>
        )}
      </div>
      {activity}
      {run ? (
        <RunView state={run} image={session.runImage} onRefinedPromptEdited={session.editRefinedPrompt} />
      ) : (
        <div className="result-placeholder">
          <p>
            The rewriter reads the image and the question on this device and writes its analysis here as it goes: the risk
            in the wording, in the image and in the two together, then a risk level with the model&apos;s score.
          </p>
          <p>
            Then it decides: pass your prompt through unchanged, use its refined prompt, or wrap yours in a static safety
            instruction. You see why, and a diff against what you typed.
          </p>
          <p className="muted">Nothing leaves this device until you send it to a remote model (step 3).</p>
        </div>
      )}
    </section>
  );
}
