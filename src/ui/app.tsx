import { useEffect } from 'react';
import { useLocation } from 'wouter';
import { usePresenterMode } from '../app/use-presenter-mode.ts';
import { useOnlineStatus } from '../app/use-online-status.ts';
import { useRewriteSession } from '../app/use-rewrite-session.ts';
import { ActivityStatus } from './activity-status.tsx';
import { AppNav } from './app-nav.tsx';
import { viewAt, viewTitle } from './app-views.ts';
import { PresenterToggle } from './presenter-toggle.tsx';
import { ViewFrame } from './view-frame.tsx';
import { HistoryView } from './views/history-view.tsx';
import { ModelsView } from './views/models-view.tsx';
import { RewriteView } from './views/rewrite-view.tsx';
import { SettingsView } from './views/settings-view.tsx';

/** The title index.html gives the page; each view adds its name in front. */
const APP_TITLE = document.title;

export function App() {
  const online = useOnlineStatus();
  // Held here, above the views, so a rewrite or a download goes on whichever view is shown.
  const session = useRewriteSession();
  const [presenter, setPresenter] = usePresenterMode();
  const [location, navigate] = useLocation();
  const view = viewAt(location) ?? 'rewrite';

  // An unknown address shows the Rewrite view, and the URL says so.
  useEffect(() => {
    if (viewAt(location) === null) navigate('/', { replace: true });
  }, [location, navigate]);
  useEffect(() => {
    document.title = viewTitle(view, APP_TITLE);
  }, [view]);

  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <h1>VLMGuard Web</h1>
          <p className="tagline">
            Rewrites a question about an image so any vision-language model answers it safely and usefully, on your device.
          </p>
        </div>
        <AppNav current={view} historyCount={session.history.records.length} />
        <PresenterToggle on={presenter} onChange={setPresenter} />
      </header>
      {!online && (
        <p role="status" className="notice" data-testid="offline-notice">
          You are offline. Models already on this device still work; downloads and remote models need a connection.
        </p>
      )}
      {/* In the Rewrite view it is part of the story, in the result panel; elsewhere it leads the page. */}
      {view !== 'rewrite' && <ActivityStatus session={session} />}
      <main className="views">
        <ViewFrame view="rewrite" active={view === 'rewrite'}>
          <RewriteView session={session} activity={view === 'rewrite' && <ActivityStatus session={session} />} />
        </ViewFrame>
        <ViewFrame view="models" active={view === 'models'}>
          <ModelsView session={session} />
        </ViewFrame>
        <ViewFrame view="history" active={view === 'history'}>
          <HistoryView session={session} showRewriteView={() => navigate('/')} />
        </ViewFrame>
        <ViewFrame view="settings" active={view === 'settings'}>
          <SettingsView session={session} />
        </ViewFrame>
      </main>
    </div>
  );
}
