import { useMemo } from 'react';
import { parseRewriteOutput } from '../core/rewrite-parser.ts';
import { GenerationOutput } from './generation-output.tsx';
import { RefinedPromptView } from './refined-prompt-view.tsx';
import { RiskAnalysisView } from './risk-analysis-view.tsx';

interface RunViewProps {
  state: Parameters<typeof GenerationOutput>[0]['state'];
  onRefinedPromptEdited: (edited: string) => void;
}

/** One rewrite as it runs and after: status, the analysis streaming in, then the refined prompt. */
export function RunView({ state, onRefinedPromptEdited }: RunViewProps) {
  const parsed = useMemo(() => parseRewriteOutput(state.output), [state.output]);
  const ranModel = state.phase !== 'finished' || state.generation !== null;
  return (
    <>
      <GenerationOutput state={state} />
      {ranModel && (state.output || state.phase === 'generating') && (
        <RiskAnalysisView
          analysis={state.phase === 'finished' ? state.rewrite.analysis : parsed}
          levelProbabilities={state.phase === 'finished' ? state.rewrite.levelProbabilities : null}
          openSection={parsed.openSection}
          streaming={state.phase === 'generating'}
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
