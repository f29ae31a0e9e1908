import type { ReactNode } from 'react';
import type { AppSession } from '../app-session.ts';
import { RemotePanel } from '../remote-panel.tsx';
import { ResultPanel } from '../result-panel.tsx';
import { RewriteForm } from '../rewrite-form.tsx';

/** The story on one screen: the input, then the analysis and the refined prompt beside it, then the remote answers below both. */
export function RewriteView({ session, activity }: { session: AppSession; activity: ReactNode }) {
  return (
    <div className="story">
      <RewriteForm session={session} />
      <ResultPanel session={session} activity={activity} />
      <RemotePanel remote={session.remote} input={session.remoteInput} />
    </div>
  );
}
