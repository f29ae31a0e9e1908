import { Link } from 'wouter';
import { APP_VIEWS, type AppViewId } from './app-views.ts';

interface AppNavProps {
  current: AppViewId;
  /** Saved rewrites, shown beside History. */
  historyCount: number;
}

/** Links to the views; the URL says which one is shown, so Back, reload and bookmarks keep it. */
export function AppNav({ current, historyCount }: AppNavProps) {
  return (
    <nav className="app-nav" aria-label="Views">
      <ul>
        {APP_VIEWS.map((view) => (
          <li key={view.id}>
            <Link href={view.path} aria-current={view.id === current ? 'page' : undefined}>
              {view.label}
              {view.id === 'history' && historyCount > 0 && <span className="nav-count"> ({historyCount})</span>}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
