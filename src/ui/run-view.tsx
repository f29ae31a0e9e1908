import { useMemo } from 'react';
import type { RunOnScreen } from '../app/run-on-screen.ts';
import { parseRewriteOutput } from '../core/rewrite-parser.ts';
import { GenerationOutput } from './generation-output.tsx';
import { ImageTextView } from './image-text-view.tsx';
import { LoadRecoveryView } from './load-recovery-view.tsx';
import { RefinedPromptView } from './refined-prompt-view.tsx';
import { RiskAnalysisView } from './risk-analysis-view.tsx';

interface RunViewProps {
  state: RunOnScreen;
  /** The run's image, for the boxes around the text found in it. */
  image: Blob | null;
  onRefinedPromptEdited: (edited: string) => void;
}

/** One rewrite as it runs and after: status, the analysis streaming in, then the refined prompt; or, after a failed load, the ways forward. */
export function RunView({ state, image, onRefinedPromptEdited }: RunViewProps) {
  const parsed = useMemo(() => parseRewriteOutput(state.output), [state.output]);
  // The model never ran: there is no output to show, only what to do next.
  if (state.phase === 'failed' && state.recovery) return <LoadRecoveryView recovery={state.recovery} />;
  const ranModel = state.phase === 'generating' ? !state.staticDefence : state.phase !== 'finished' || state.generation !== null;
  const imageText = state.phase === 'failed' ? null : state.imageText;
  return (
    <>
      <GenerationOutput state={state} />
      <ImageTextView imageText={imageText} reading={state.phase === 'generating' && state.readingImageText} image={image} />
      {ranModel && (state.output || state.phase === 'generating') && (
        <RiskAnalysisView
          analysis={state.phase === 'finished' ? state.rewrite.analysis : parsed}
          levelProbabilities={state.phase === 'finished' ? state.rewrite.levelProbabilities : null}
          openSection={parsed.openSection}
          streaming={state.phase === 'generating'}
          reasoning={state.phase === 'failed' ? null : state.reasoning}
        />
      )}
      {state.phase === 'finished' && (
        <RefinedPromptView
          key={state.startedAt}
          originalPrompt={state.prompt}
          rewrite={state.rewrite}
          onEditCommitted={onRefinedPromptEdited}
        />
      )}
    </>
  );
}
