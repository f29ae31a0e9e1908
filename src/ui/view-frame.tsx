import { useEffect, useRef, type ReactNode } from 'react';
import type { AppViewId } from './app-views.ts';

interface ViewFrameProps {
  view: AppViewId;
  active: boolean;
  children: ReactNode;
}

/**
 * One view. Every view stays mounted and only the active one is shown, so what a view holds (an open
 * history entry, a half-typed hub URL, an edited refined prompt) survives a switch to another view.
 */
export function ViewFrame({ view, active, children }: ViewFrameProps) {
  const frame = useRef<HTMLDivElement>(null);
  const wasActive = useRef(active);
  useEffect(() => {
    // Only on a switch, not on the first render: a screen reader then hears where it landed.
    if (active && !wasActive.current && frame.current) focusHeading(frame.current);
    wasActive.current = active;
  }, [active]);
  return (
    <div ref={frame} className={`view view-${view}`} hidden={!active} data-testid={`view-${view}`}>
      {children}
    </div>
  );
}

function focusHeading(frame: HTMLElement): void {
  const heading = frame.querySelector<HTMLElement>('h2');
  if (!heading) return;
  heading.tabIndex = -1;
  // Each view starts at the top of the page, wherever the last one was scrolled to.
  window.scrollTo({ top: 0 });
  heading.focus({ preventScroll: true });
}
