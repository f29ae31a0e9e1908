import { useEffect, useRef } from 'react';
import { Link } from 'wouter';
import type { AppSession } from './app-session.ts';
import { BACKEND_LABELS } from './device-panel.tsx';
import { LoadProgressView } from './load-progress-view.tsx';

/**
 * What is going on, shown above every view: a model load and what became of it (a download goes on while you look
 * elsewhere), and rewrites that History could not save yet.
 */
export function ActivityStatus({ session }: { session: AppSession }) {
  const { state, history } = session;
  const failed = state.phase === 'failed';
  const box = useRef<HTMLDivElement>(null);
  // A tall form (a custom model's fields) can leave the message above the screen when Rewrite is pressed.
  useEffect(() => {
    if (failed) box.current?.scrollIntoView({ block: 'nearest' });
  }, [failed]);
  return (
    <div className="activity" ref={box}>
      {history.unsavedCount > 0 && (
        <p role="status" className="notice" data-testid="unsaved-history-notice">
          {history.unsavedCount === 1
            ? 'A rewrite is not saved on this device yet; it stays in memory until it is.'
            : `${history.unsavedCount} rewrites are not saved on this device yet; they stay in memory until they are.`}{' '}
          <Link href="/history">Open History</Link> to retry.
        </p>
      )}
      {state.phase === 'loading' && (
        <LoadProgressView
          download={state.download}
          backendLabel={state.download.backend ? BACKEND_LABELS[state.download.backend] : 'the runtime'}
          onCancel={session.cancelLoad}
        />
      )}
      {state.phase === 'idle' && state.notice && (
        <p role="status" className="notice">
          {state.notice}
        </p>
      )}
      {state.phase === 'failed' && (
        <p role="alert" className="error">
          {state.message}
        </p>
      )}
    </div>
  );
}
