import type { RewriterState } from '../app/rewriter-state.ts';
import type { StopReason } from '../core/rewriter-api.ts';
import { formatMs } from './format.ts';

const STOP_REASONS: Record<StopReason, string> = {
  'end-of-text': 'Finished',
  'max-tokens': 'Reached the token limit',
  stopped: 'Stopped by you',
};

type RunState = Extract<RewriterState, { phase: 'generating' | 'finished' | 'failed' }>;

/** Token count and timings while and after the model writes, and its raw output. */
export function GenerationOutput({ state }: { state: RunState }) {
  const generation = state.phase === 'finished' ? state.generation : null;
  if (state.phase === 'finished' && !generation) return null;
  const { original, processed } = generation?.image ?? {};
  return (
    <div className="generation">
      <p className="muted" aria-live="polite" data-testid="generation-status">
        {state.phase === 'generating' && `Generating… ${state.tokenCount} tokens`}
        {generation &&
          `${STOP_REASONS[generation.stopReason]}: ${generation.tokenCount} tokens in ${formatMs(generation.totalMs)} (first token after ${formatMs(generation.firstTokenMs)})`}
      </p>
      {original && processed && (
        <p className="muted" data-testid="image-sizes">
          Image {original.width}×{original.height}
          {original.width !== processed.width || original.height !== processed.height
            ? `, scaled to ${processed.width}×${processed.height} for the model`
            : ', used at full size'}
        </p>
      )}
      <details>
        <summary>Model output (raw)</summary>
        <pre className="output" data-testid="model-output">
          {state.output}
        </pre>
      </details>
    </div>
  );
}
