/** The app's views, each at its own hash URL (#/, #/models, …), in the order the navigation lists them. */
export const APP_VIEWS = [
  { id: 'rewrite', path: '/', label: 'Rewrite' },
  { id: 'models', path: '/models', label: 'Models' },
  { id: 'history', path: '/history', label: 'History' },
  { id: 'settings', path: '/settings', label: 'Settings' },
] as const;

export type AppViewId = (typeof APP_VIEWS)[number]['id'];

/** The page title for a view, so history entries and screen readers say where you are. */
export function viewTitle(id: AppViewId, appTitle: string): string {
  const view = APP_VIEWS.find((candidate) => candidate.id === id);
  return id === 'rewrite' || !view ? appTitle : `${view.label} · ${appTitle}`;
}

/** The view a location shows; null for a path no view has. */
export function viewAt(path: string): AppViewId | null {
  return APP_VIEWS.find((view) => view.path === path)?.id ?? null;
}
