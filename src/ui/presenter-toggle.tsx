import { useEffect } from 'react';

interface PresenterToggleProps {
  on: boolean;
  onChange: (on: boolean) => void;
}

/** Large type and high contrast, for a demo on a projector; the styles hang off the root element. */
export function PresenterToggle({ on, onChange }: PresenterToggleProps) {
  useEffect(() => {
    document.documentElement.dataset.presenter = on ? 'on' : 'off';
  }, [on]);
  return (
    <button type="button" className="presenter-toggle" aria-pressed={on} onClick={() => onChange(!on)}>
      Presenter mode
    </button>
  );
}
