import { Fragment } from 'react';
import type { ModelWithoutHub } from '../app/models-without-hub.ts';

const PLACES: ReadonlyArray<readonly [ModelWithoutHub['where'], string]> = [
  ['browser-cache', 'cached in this browser'],
  ['site-folder', "in this site's models/ folder"],
];

/** Which rewriters work while the hub cannot be reached, by where they are, and that the static defence always does. */
export function ModelsWithoutHubNote({ models }: { models: readonly ModelWithoutHub[] | null }) {
  if (!models) return <p className="muted">Checking which models this device has without the Hub…</p>;
  if (models.length === 0) {
    return (
      <p data-testid="models-without-hub">
        Without the Hub, no model is available here: none is cached in this browser or in this site&apos;s models/ folder.
        The static defence works without any.
      </p>
    );
  }
  // One sentence, however many there are: a test build has nine generated models in its models/ folder.
  const groups = PLACES.map(([where, place]) => [place, models.filter((entry) => entry.where === where)] as const).filter(
    ([, here]) => here.length > 0,
  );
  return (
    <p data-testid="models-without-hub">
      Without the Hub, these work here:{' '}
      {groups.map(([place, here], group) => (
        <Fragment key={place}>
          {group > 0 && '; '}
          {place}:{' '}
          {here.map(({ model }, index) => (
            <Fragment key={model.id}>
              {index > 0 && ', '}
              <strong>{model.label}</strong>
            </Fragment>
          ))}
        </Fragment>
      ))}
      . The static defence always works.
    </p>
  );
}
