import type { RewriterState } from '../app/rewriter-state.ts';
import type { StopReason } from '../core/rewriter-api.ts';
import { formatMs } from './format.ts';

const STOP_REASONS: Record<StopReason, string> = {
  'end-of-text': 'Finished',
  'max-tokens': 'Reached the token limit',
  stopped: 'Stopped by you',
};

export function GenerationOutput({ state }: { state: RewriterState }) {
  if (state.phase !== 'generating' && state.phase !== 'finished' && !(state.phase === 'failed' && state.output)) {
    return null;
  }
  const tokenCount = state.phase === 'generating' ? state.tokenCount : state.phase === 'finished' ? state.result.tokenCount : null;
  return (
    <div className="generation">
      <h2>Model output</h2>
      <p className="muted" aria-live="polite" data-testid="generation-status">
        {state.phase === 'generating' && `Generating… ${tokenCount} tokens`}
        {state.phase === 'finished' &&
          `${STOP_REASONS[state.result.stopReason]}: ${tokenCount} tokens in ${formatMs(state.result.totalMs)} (first token after ${formatMs(state.result.firstTokenMs)})`}
      </p>
      <pre className="output" data-testid="model-output">
        {state.output}
      </pre>
    </div>
  );
}
