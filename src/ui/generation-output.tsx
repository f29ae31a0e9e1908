import type { RunState } from '../app/run-on-screen.ts';
import type { GenerateResult, RunReuse, StopReason } from '../core/rewriter-api.ts';
import { formatMs } from '../core/units.ts';
import { rewriteInputText } from './image-text-lines.ts';

/** Decode speed after the first token, which carries the image encoding and the prefill. */
function decodeRate(generation: GenerateResult): string {
  const seconds = (generation.totalMs - generation.firstTokenMs) / 1000;
  return generation.tokenCount > 1 && seconds > 0 ? ((generation.tokenCount - 1) / seconds).toFixed(1) : '—';
}

const STOP_REASONS: Record<StopReason, string> = {
  'end-of-text': 'Finished',
  'max-tokens': 'Reached the token limit',
  stopped: 'Stopped by you',
};

/** Elapsed time and tokens per second so far; re-rendered with every token. */
function liveRate(tokens: number, startedAt: number): string {
  const seconds = (performance.now() - startedAt) / 1000;
  return tokens > 0 && seconds > 0 ? ` · ${seconds.toFixed(1)} s · ${(tokens / seconds).toFixed(1)} tokens/s` : '';
}

/** What the run took over from the rewrite before it (an edited question keeps the image and the instructions). */
function reuseText({ image, reusedPromptTokens, promptTokens }: RunReuse): string | null {
  const parts = [
    ...(image === 'in-prefix' ? ['the image'] : image === 'feature-cache' ? ["the image's features"] : []),
    ...(reusedPromptTokens > 0 ? [`${reusedPromptTokens} of ${promptTokens} prompt tokens`] : []),
  ];
  return parts.length > 0 ? `Reused from the previous rewrite: ${parts.join(' and ')}.` : null;
}

/** The rewriter's input as text; while OCR reads the image, the text it will hold is not known yet. */
function rawInput(state: RunState): string | null {
  if (state.phase === 'failed') return null;
  if (state.phase === 'generating' && state.readingImageText) return 'Waiting for the text in the image…';
  return rewriteInputText(state.prompt, state.imageText, state.reasoning);
}

/** Token count and timings while and after the model writes, and its raw input and output. */
export function GenerationOutput({ state }: { state: RunState }) {
  const generation = state.phase === 'finished' ? state.generation : null;
  // The static defence: no model ran, or runs.
  if ((state.phase === 'finished' && !generation) || (state.phase === 'generating' && state.staticDefence)) return null;
  const { original, processed } = generation?.image ?? {};
  const reused = generation?.reuse ? reuseText(generation.reuse) : null;
  const input = rawInput(state);
  return (
    <div className="generation">
      <p className="muted" aria-live="polite" data-testid="generation-status">
        {state.phase === 'generating' && `Generating… ${state.tokenCount} tokens${liveRate(state.tokenCount, state.startedAt)}`}
        {generation &&
          `${STOP_REASONS[generation.stopReason]}: ${generation.tokenCount} tokens in ${formatMs(generation.totalMs)} (first token after ${formatMs(generation.firstTokenMs)}, ${decodeRate(generation)} tokens/s)`}
      </p>
      {generation?.workerEnded && (
        <p role="status" className="notice" data-testid="worker-ended-notice">
          This page is not cross-origin isolated, so Stop had to end the rewriter&apos;s worker; the text so far is kept,
          and the next rewrite loads the model again.
        </p>
      )}
      {original && processed && (
        <p className="muted" data-testid="image-sizes">
          Image {original.width}×{original.height}
          {original.width !== processed.width || original.height !== processed.height
            ? `, scaled to ${processed.width}×${processed.height} for the model`
            : ', used at full size'}
        </p>
      )}
      {reused && (
        <p className="muted" data-testid="run-reuse">
          {reused}
        </p>
      )}
      {input !== null && (
        <details>
          <summary>Model input (raw)</summary>
          {/* Focusable: it scrolls, and a keyboard must be able to scroll it. */}
          <pre className="output" data-testid="model-input" tabIndex={0}>
            {input}
          </pre>
        </details>
      )}
      <details>
        <summary>Model output (raw)</summary>
        <pre className="output" data-testid="model-output" tabIndex={0}>
          {state.output}
        </pre>
      </details>
    </div>
  );
}
