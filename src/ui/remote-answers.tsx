import type { AnswerSlot, RemoteRun } from '../app/use-remote.ts';
import { formatMs } from '../core/units.ts';

const SLOT_TITLES: Record<AnswerSlot, string> = {
  original: 'Answer to the original prompt',
  refined: 'Answer to the refined prompt',
};

const PROMPT_TITLES: Record<AnswerSlot, string> = {
  original: 'Your prompt',
  refined: 'Refined prompt',
};

interface RemoteAnswersProps {
  runs: Partial<Record<AnswerSlot, RemoteRun>>;
  prompts: Record<AnswerSlot, string>;
}

/** Each answer under the prompt it answers; in compare mode the two side by side, original first. */
export function RemoteAnswers({ runs, prompts }: RemoteAnswersProps) {
  const slots = (['original', 'refined'] as const).filter((slot) => runs[slot]);
  if (slots.length === 0) return null;
  return (
    <div className={slots.length === 2 ? 'answers compare' : 'answers'}>
      {slots.map((slot) => {
        const run = runs[slot];
        return run ? (
          <div key={slot} className="answer-column">
            <figure className="sent-prompt">
              <figcaption>{PROMPT_TITLES[slot]}</figcaption>
              <blockquote>{prompts[slot]}</blockquote>
            </figure>
            <AnswerView slot={slot} run={run} />
          </div>
        ) : null;
      })}
    </div>
  );
}

function AnswerView({ slot, run }: { slot: AnswerSlot; run: RemoteRun }) {
  return (
    <article className="answer" aria-label={SLOT_TITLES[slot]} data-testid={`remote-answer-${slot}`}>
      <h3>{SLOT_TITLES[slot]}</h3>
      <p className="muted" data-testid={`remote-status-${slot}`}>
        {run.status === 'waiting' && 'Waiting for the first words…'}
        {run.status === 'streaming' && 'Receiving…'}
        {run.status === 'stopped' && 'Stopped.'}
        {run.status === 'done' &&
          run.timings &&
          `Done in ${formatMs(run.timings.totalMs)}${run.timings.firstTokenMs !== null ? ` (first words after ${formatMs(run.timings.firstTokenMs)})` : ''}`}
      </p>
      {run.error && (
        <div role="alert" className="error">
          <p>{run.error.message}</p>
          {'fix' in run.error && run.error.fix && !run.error.message.includes(run.error.fix) && <p>How to fix it: {run.error.fix}</p>}
        </div>
      )}
      <p className="answer-text">{run.text}</p>
    </article>
  );
}
